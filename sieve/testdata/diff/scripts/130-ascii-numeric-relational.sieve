# i;ascii-numeric ordering: non-digit strings exceed every number (SV-07, SV-64)
require ["fileinto", "copy", "relational", "comparator-i;ascii-numeric"];
if header :value "gt" :comparator "i;ascii-numeric" "x-none" "99999999999999999999" { fileinto :copy "nondigit-gt-big"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-big" "123456789012345678901234567891" { fileinto :copy "big-lt"; }
if header :value "eq" :comparator "i;ascii-numeric" "x-count" "0042" { fileinto :copy "prefix-eq"; }
if header :value "gt" :comparator "i;ascii-numeric" "x-neg" "1000" { fileinto :copy "neg-is-infinite"; }
if header :value "le" :comparator "i;ascii-numeric" "x-zero" "0" { fileinto :copy "zero-le"; }
