# fields without a valid date: text, no ";" date, 29 Feb of a common year, hour 24, 30 Feb (SV-67, SV-69)
require ["date", "index", "relational", "fileinto"];
if date :matches "date" "date" "*" { fileinto "date-field"; }
if date :index 1 :matches "received" "date" "*" { fileinto "received-1"; }
if date :index 2 :matches "received" "date" "*" { fileinto "received-2"; }
if date :index 3 :matches "received" "date" "*" { fileinto "received-3"; }
if date :index 4 :matches "received" "date" "*" { fileinto "received-4"; }
if date :count "eq" "date" "date" "0" { fileinto "count-0"; }
if not date :value "ne" "date" "year" "x" { fileinto "not-value"; }
