# flags set in a branch apply to the implicit keep (SV-51, SV-52)
require "imap4flags";
if address :is "from" "alice@example.org" { addflag "\\Flagged"; }
if header :contains "list-id" "zest-dev" { addflag "$List"; }
