# comparators on date parts: i;octet is case-sensitive on std11, i;ascii-casemap is not (SV-06, SV-66)
require ["date", "fileinto"];
if date :comparator "i;octet" :is "date" "std11" "Mon, 02 Mar 2026 08:35:07 +0000" { fileinto "octet"; }
if date :comparator "i;octet" :is "date" "std11" "mon, 02 mar 2026 08:35:07 +0000" { fileinto "octet-lower"; }
if date :is "date" "std11" "MON, 02 MAR 2026 08:35:07 +0000" { fileinto "casemap-upper"; }
if date :contains "date" "iso8601" "T08:35" { fileinto "contains"; }
