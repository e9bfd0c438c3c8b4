# every date part with :is in the server's zone (UTC): Date +0130 shifted back (SV-66, SV-68)
require ["date", "fileinto"];
if date :is "date" "year" "2026" { fileinto "year"; }
if date :is "date" "month" "03" { fileinto "month"; }
if date :is "date" "day" "02" { fileinto "day"; }
if date :is "date" "date" "2026-03-02" { fileinto "date"; }
if date :is "date" "julian" "61101" { fileinto "julian"; }
if date :is "date" "hour" "08" { fileinto "hour"; }
if date :is "date" "minute" "35" { fileinto "minute"; }
if date :is "date" "second" "07" { fileinto "second"; }
if date :is "date" "time" "08:35:07" { fileinto "time"; }
if date :is "date" "iso8601" "2026-03-02T08:35:07Z" { fileinto "iso8601"; }
if date :is "date" "std11" "Mon, 02 Mar 2026 08:35:07 +0000" { fileinto "std11"; }
if date :is "date" "zone" "+0000" { fileinto "zone"; }
if date :is "date" "weekday" "1" { fileinto "weekday"; }
if date :is "date" "YEAR" "2026" { fileinto "part-case"; }
if date :is "date" "hour" "8" { fileinto "wrong-width"; }
