# currentdate takes no :originalzone (SV-66)
require ["date", "fileinto"];
if currentdate :originalzone "zone" "+0000" { fileinto "x"; }
