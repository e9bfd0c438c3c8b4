# :count on header, address (group members), envelope (SV-64, SV-65)
require ["relational", "comparator-i;ascii-numeric", "fileinto", "copy", "envelope"];
if header :count "eq" :comparator "i;ascii-numeric" "x-test" "3" { fileinto :copy "x-test-3"; }
if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "4" { fileinto :copy "addr-ge-4"; }
if address :count "eq" :comparator "i;ascii-numeric" "to" "3" { fileinto :copy "to-3"; }
if address :count "eq" :comparator "i;ascii-numeric" "to" "1" { fileinto :copy "to-1"; }
if envelope :count "eq" :comparator "i;ascii-numeric" "to" "1" { fileinto :copy "env-to-1"; }
if envelope :count "eq" :comparator "i;ascii-numeric" "from" "1" { fileinto :copy "env-from-1"; }
if header :count "eq" :comparator "i;ascii-numeric" "x-none" "0" { fileinto :copy "none-0"; }
