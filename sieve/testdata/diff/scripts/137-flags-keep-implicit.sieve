# explicit keep :flags and fileinto without :flags after addflag (SV-52)
require ["imap4flags", "fileinto"];
addflag "$Internal";
keep :flags "$Explicit";
fileinto "Box";
removeflag "$Internal";
