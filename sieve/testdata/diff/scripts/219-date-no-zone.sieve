# a date-time without its zone is not a valid date-time (RFC 5322 §3.3) (SV-67)
require ["date", "variables", "fileinto"];
if date :matches "date" "iso8601" "*" { fileinto "iso-${0}"; } else { fileinto "no-date"; }
