# tests on absent headers: header, address and :count all miss, not even "" (SV-09, SV-10)
require ["fileinto", "copy", "relational", "comparator-i;ascii-numeric", "variables"];
if header :matches "subject" "*" { fileinto :copy "subject-star"; }
if header :is "subject" "" { fileinto :copy "subject-empty"; }
if address :matches "from" "*" { fileinto :copy "from-star"; }
if address :count "eq" :comparator "i;ascii-numeric" "from" "0" { fileinto :copy "from-count-0"; }
if not address :domain :contains "from" "" { fileinto :copy "from-not-contains-empty"; }
if header :count "eq" :comparator "i;ascii-numeric" ["subject", "from", "to"] "1" { fileinto :copy "total-1"; }
