# true, false and not (SV-04)
require ["fileinto", "copy"];
if true { fileinto :copy "t-true"; }
if false { fileinto :copy "t-false"; }
if not false { fileinto :copy "t-not-false"; }
if not not true { fileinto :copy "t-not-not-true"; }
