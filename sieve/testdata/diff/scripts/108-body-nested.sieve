# :content descends into message/rfc822 and multipart/alternative (SV-43)
require ["body", "fileinto", "copy"];
if body :content "text/plain" :contains "ship on Tuesday" { fileinto :copy "nested-plain"; }
if body :content "text/html" :contains "<i>Tuesday</i>" { fileinto :copy "nested-html"; }
if body :content "message/rfc822" :contains "chair@example.net" { fileinto :copy "rfc822-header"; }
if body :content "message/rfc822" :contains "Decision" { fileinto :copy "rfc822-body"; }
if body :text :contains "forwarded notes" { fileinto :copy "text-outer"; }
