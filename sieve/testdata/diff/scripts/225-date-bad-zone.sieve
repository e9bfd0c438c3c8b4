# a constant :zone that is not "+hhmm" is refused when compiling (SV-68)
require ["date", "fileinto"];
if date :zone "CET" "date" "year" "2026" { fileinto "x"; }
