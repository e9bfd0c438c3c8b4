# :index counts from 1; :index 0 is refused (SV-69)
require ["index", "fileinto"];
if header :index 0 :contains "received" "example" { fileinto "x"; }
