# date :index 1 :last :originalzone, tags in that order: the last Received field (SV-69)
require ["date", "index", "variables", "fileinto"];
if date :index 1 :last :originalzone :matches "received" "date" "*" { fileinto "${0}"; }
