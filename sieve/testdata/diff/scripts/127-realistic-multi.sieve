# several actions in order: redirect :copy, fileinto, vacation, flags (SV-14, SV-35, SV-52, SV-54)
require ["fileinto", "copy", "vacation", "imap4flags", "envelope"];
if envelope :domain "from" "example.org" {
  redirect :copy "backup@example.net";
  addflag "$Backed";
}
fileinto "Archive";
if header :contains "subject" "lunch" { vacation :days 2 "At lunch."; keep; }
