# a two-digit year 50 is 1950 (RFC 5322 §4.3) (SV-67)
require ["date", "variables", "fileinto"];
if date :matches "date" "year" "*" { fileinto "year-${0}"; }
