# :text converts an 8-bit ISO-8859-1 body to UTF-8 (SV-43, SV-44)
require ["body", "fileinto", "copy"];
if body :contains "café crème" { fileinto :copy "converted"; }
if body :raw :contains "café" { fileinto :copy "raw-utf8"; }
