# stop inside nested blocks ends the script (SV-03)
require "fileinto";
if true { if header :contains "subject" "lunch" { fileinto "first"; stop; } }
fileinto "second";
