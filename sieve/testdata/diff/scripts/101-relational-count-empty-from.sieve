# :count of an empty envelope from is 0 (SV-65)
require ["relational", "comparator-i;ascii-numeric", "fileinto", "envelope"];
if envelope :count "eq" :comparator "i;ascii-numeric" "from" "0" { fileinto "zero"; } else { fileinto "nonzero"; }
