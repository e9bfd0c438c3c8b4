# a spam filter on a numeric score header (SV-06, SV-64)
require ["fileinto", "imap4flags", "relational", "comparator-i;ascii-numeric"];
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "10" { fileinto "Junk"; }
elsif exists "x-spam-score" { fileinto :flags "" "Maybe"; }
