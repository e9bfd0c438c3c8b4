# :value comparisons with ascii-numeric and casemap (SV-64)
require ["relational", "comparator-i;ascii-numeric", "fileinto", "copy"];
if header :value "gt" :comparator "i;ascii-numeric" "x-spam-score" "5" { fileinto :copy "gt-5"; }
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "12" { fileinto :copy "ge-12"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-spam-score" "10" { fileinto :copy "lt-10"; }
if header :value "le" :comparator "i;ascii-numeric" "x-spam-score" "3" { fileinto :copy "le-3"; }
if header :value "eq" :comparator "i;ascii-numeric" "x-spam-score" ["1", "3", "12"] { fileinto :copy "eq-any"; }
if header :value "ne" :comparator "i;ascii-numeric" "x-spam-score" "3" { fileinto :copy "ne-3"; }
if header :value "gt" "subject" "M" { fileinto :copy "casemap-gt"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-none" "999999" { fileinto :copy "missing-lt"; }
