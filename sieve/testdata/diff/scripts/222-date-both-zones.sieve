# :zone and :originalzone together are an error (SV-68)
require ["date", "fileinto"];
if date :zone "+0100" :originalzone "date" "year" "2026" { fileinto "x"; }
