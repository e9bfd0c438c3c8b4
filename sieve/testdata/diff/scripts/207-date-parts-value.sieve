# date parts with relational :value, default and numeric comparators (SV-64, SV-66)
require ["date", "relational", "fileinto", "comparator-i;ascii-numeric"];
if date :value "gt" "date" "year" "2025" { fileinto "year-gt"; }
if date :value "lt" "date" "date" "2026-03-03" { fileinto "date-lt"; }
if date :value "ge" "date" "time" "08:35:07" { fileinto "time-ge"; }
if date :value "ne" "date" "weekday" "0" { fileinto "not-sunday"; }
if date :value "gt" :comparator "i;ascii-numeric" "date" "julian" "61100" { fileinto "julian-gt"; }
if date :value "lt" :comparator "i;ascii-numeric" "date" "julian" "9999" { fileinto "julian-lt-wrong"; }
if date :value "le" "date" "iso8601" "2026-03-02T08:35:07Z" { fileinto "iso-le"; }
if date :value "eq" "date" "month" ["01", "03"] { fileinto "month-eq"; }
if date :value "lt" "date" "hour" "8" { fileinto "hour-lt-string"; }
