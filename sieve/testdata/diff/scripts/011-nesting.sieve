# allof/anyof/not nested, 15 levels of blocks (SV-13, SV-20)
require ["fileinto", "copy"];
if allof(true, anyof(false, not false), not anyof(false, false)) { fileinto :copy "n1"; }
if anyof(allof(true, false), allof(true, not exists "X-Nothing")) { fileinto :copy "n2"; }
if true { if true { if true { if true { if true { if true { if true { if true {
if true { if true { if true { if true { if true { if true { if true { fileinto :copy "deep"; }
}}}}}}}}}}}}}}
