# body :matches sees the whole part (SV-41, SV-45)
require ["body", "fileinto", "copy", "variables"];
if body :matches "*lunch*" { fileinto :copy "matched-${1}"; }
if body :matches "lunch*" { fileinto :copy "anchored"; }
