# a message without a body: every body test is false (SV-41)
require ["body", "fileinto", "copy"];
if body :matches "*" { fileinto :copy "text-any"; }
if body :raw :matches "*" { fileinto :copy "raw-any"; }
if not body :contains "x" { fileinto :copy "not-contains"; }
