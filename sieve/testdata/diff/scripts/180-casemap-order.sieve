# i;ascii-casemap ordering maps letters to upper case (RFC 4790 §9.2.1): "_" sorts after every letter. SV-06, SV-64
require ["relational", "fileinto", "variables"];
if header :value "gt" :comparator "i;ascii-casemap" "subject" "_" { fileinto "after-underscore"; }
if header :value "lt" "subject" "_" { fileinto "before-underscore"; }
if string :value "gt" "[" "a" { fileinto "bracket-after-a"; }
if string :value "lt" :comparator "i;octet" "[" "a" { fileinto "octet-bracket-before-a"; }
