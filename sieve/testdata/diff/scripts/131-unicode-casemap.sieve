# comparator-i;unicode-casemap (SV-06; Pigeonhole's support recorded)
require ["fileinto", "comparator-i;unicode-casemap"];
if header :comparator "i;unicode-casemap" :contains "subject" "GRÜSSE" { fileinto "matched"; }
