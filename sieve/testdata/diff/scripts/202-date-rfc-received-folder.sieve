# RFC 5260 §4.4 second example: file by the year and month of the first Received field, with match variables (SV-66, SV-67)
require ["date", "variables", "fileinto"];
if date :matches "received" "year" "*" { set "year" "${1}"; }
if date :matches "received" "month" "*" { set "month" "${1}"; }
fileinto "${year}-${month}";
