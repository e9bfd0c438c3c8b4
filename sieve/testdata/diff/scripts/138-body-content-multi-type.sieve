# :content with several types and :matches over one part at a time (SV-43)
require ["body", "fileinto", "copy"];
if body :content ["text/html", "application/pdf"] :contains "secret pdf" { fileinto :copy "list-of-types"; }
if body :content "text/plain" :matches "The quarterly*10%*" { fileinto :copy "whole-part"; }
if body :content "text" :matches "*report*report*" { fileinto :copy "never-across-parts"; }
