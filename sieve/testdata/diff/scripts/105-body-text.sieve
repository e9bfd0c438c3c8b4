# body default (:text) and :contains on a plain message (SV-41, SV-44)
require ["body", "fileinto", "copy"];
if body :contains "lunch" { fileinto :copy "lunch"; }
if body :text :contains "NOON" { fileinto :copy "noon"; }
if body :contains "Subject" { fileinto :copy "header-not-body"; }
