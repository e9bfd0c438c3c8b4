# :last without :index is an error (SV-69)
require ["index", "fileinto"];
if header :last :contains "received" "example" { fileinto "x"; }
