# :content selects parts, decodes QP/base64, converts charsets (SV-43)
require ["body", "fileinto", "copy"];
if body :content "text" :contains "Café budget" { fileinto :copy "text-qp-latin1"; }
if body :content "text/html" :contains "<b>report</b>" { fileinto :copy "html-base64"; }
if body :content "text/plain" :contains "report</b>" { fileinto :copy "plain-has-html"; }
if body :content "application/pdf" :contains "secret pdf" { fileinto :copy "pdf-decoded"; }
if body :content "" :contains "secret pdf" { fileinto :copy "all-parts"; }
if body :content "multipart" :contains "prologue" { fileinto :copy "prologue"; }
if body :content "multipart" :contains "epilogue" { fileinto :copy "epilogue"; }
if body :content "text" :contains "Content-Transfer-Encoding" { fileinto :copy "part-headers"; }
if body :content "text/" :contains "report" { fileinto :copy "bad-slash"; }
