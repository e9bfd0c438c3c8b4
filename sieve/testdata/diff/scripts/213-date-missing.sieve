# a missing field has no date: date is false, "not date" true, and currentdate still works (SV-67)
require ["date", "relational", "fileinto"];
if date :matches "date" "year" "*" { fileinto "has-date"; }
if not date :matches "received" "date" "*" { fileinto "no-received"; }
if date :value "ge" "subject" "year" "0" { fileinto "subject-date"; }
if currentdate :value "ge" "year" "2020" { fileinto "currentdate"; }
