# flag commands on a named variable do not touch the internal flags (SV-51)
require ["imap4flags", "variables", "fileinto"];
set "myflags" "";
addflag "myflags" "$Var";
addflag "$Internal";
fileinto :flags "${myflags}" "Var";
