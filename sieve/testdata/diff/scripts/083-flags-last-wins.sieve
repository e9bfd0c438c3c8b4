# keep and fileinto "INBOX" with different flags: the last one's flags win (SV-15, SV-52)
require ["imap4flags", "fileinto"];
keep :flags "$first";
fileinto :flags "$second" "INBOX";
