# a three-digit year is added to 1900 (RFC 5322 §4.3) (SV-67)
require ["date", "variables", "fileinto"];
if date :matches "date" "date" "*" { fileinto "date-${0}"; } else { fileinto "no-date"; }
