# RFC 5183 §4 with relational: :count is 1 for a non-empty item, and an absent item fails
require ["environment", "relational", "comparator-i;ascii-numeric", "fileinto"];
if environment :count "eq" :comparator "i;ascii-numeric" "location" "1" { fileinto "one"; }
if environment :count "eq" :comparator "i;ascii-numeric" "remote-ip" "0" { fileinto "zero"; }
