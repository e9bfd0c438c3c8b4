# :flags on keep and fileinto give exactly the listed flags (SV-52)
require ["imap4flags", "fileinto"];
addflag "\\Deleted";
fileinto :flags ["\\Seen", "$Label"] "Work";
keep :flags "\\Flagged";
fileinto "Other";
