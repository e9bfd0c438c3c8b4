# string test: no trimming, :count of empty strings (SV-49, SV-65)
require ["variables", "fileinto", "copy", "relational", "comparator-i;ascii-numeric"];
set "a" " spaced ";
set "e" "";
if string :is "${a}" " spaced " { fileinto :copy "untrimmed"; }
if string :count "eq" :comparator "i;ascii-numeric" ["${e}", "${a}"] "1" { fileinto :copy "count-1"; }
if string :matches "${a}" " * " { fileinto :copy "match-${1}"; }
