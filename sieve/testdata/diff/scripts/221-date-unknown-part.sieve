# an unknown constant date part is refused when compiling (SV-66)
require ["date", "fileinto"];
if date :is "date" "fortnight" "1" { fileinto "x"; }
