# date without require "date" is an unknown test (SV-02, SV-66)
require "fileinto";
if date :is "date" "year" "2026" { fileinto "x"; }
