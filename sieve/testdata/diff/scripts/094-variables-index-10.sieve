# a match variable index above 9 is not a match variable (SV-48; Pigeonhole's view recorded)
require ["variables", "fileinto"];
if header :matches "subject" "*" { fileinto "x${10}y"; }
