# a military zone letter means an unknown zone, -0000 (RFC 5322 §4.3), not +0100 (SV-67)
require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "iso8601" "*" { fileinto "${0}"; }
