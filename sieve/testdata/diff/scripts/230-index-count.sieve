# relational :count with :index counts within the picked field (SV-65, SV-69)
require ["date", "index", "relational", "fileinto"];
if header :index 2 :count "eq" "received" "1" { fileinto "header-1"; }
if header :index 9 :count "eq" "received" "0" { fileinto "header-0"; }
if address :index 2 :count "eq" "to" "2" { fileinto "address-2"; }
if address :count "eq" "to" "4" { fileinto "address-all-4"; }
if date :index 3 :count "eq" "received" "year" "1" { fileinto "date-1"; }
