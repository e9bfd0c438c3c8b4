# a leap second is second "60" (RFC 5260 §4.2) (SV-66, SV-67)
require ["date", "variables", "fileinto"];
if date :matches "date" "second" "*" { fileinto "second-${0}"; }
if date :matches "date" "iso8601" "*" { fileinto "iso-${0}"; }
