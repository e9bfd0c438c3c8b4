# :raw sees boundaries and encoded text (SV-42)
require ["body", "fileinto", "copy"];
if body :raw :contains "--outer-boundary" { fileinto :copy "boundary"; }
if body :raw :contains "Caf=E9" { fileinto :copy "qp-raw"; }
if body :raw :contains "Café" { fileinto :copy "qp-decoded"; }
if body :raw :contains "Content-Type: text/html" { fileinto :copy "part-header"; }
if body :raw :contains "Quarterly" { fileinto :copy "subject-not-body"; }
