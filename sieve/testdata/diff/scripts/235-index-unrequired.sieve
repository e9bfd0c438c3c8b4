# :index without require "index" is an unknown tag (SV-02, SV-69)
require ["date", "fileinto"];
if header :index 1 :contains "received" "example" { fileinto "x"; }
