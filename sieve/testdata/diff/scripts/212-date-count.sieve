# relational :count on date and currentdate: 1 with a valid date, else 0, whatever the number of fields (SV-65, SV-66, SV-67)
require ["date", "relational", "fileinto"];
if date :count "eq" "date" "year" "1" { fileinto "date-1"; }
if date :count "eq" "received" "year" "1" { fileinto "received-1"; }
if date :count "eq" "x-no-such-field" "year" "0" { fileinto "missing-0"; }
if date :count "eq" "subject" "year" "0" { fileinto "no-date-0"; }
if currentdate :count "eq" "year" "1" { fileinto "current-1"; }
