# ? and * captures, shortest-first matching (SV-48)
require ["variables", "fileinto"];
if header :matches "subject" "*o*" { fileinto "a-${1}-${2}"; }
if header :matches "subject" "?u*" { fileinto "b-${1}-${2}"; }
