# exactly one block of an if/elsif/else chain runs (SV-03)
require "fileinto";
if header :contains "subject" "lunch" { fileinto "lunch"; }
elsif header :contains "subject" "release" { fileinto "release"; }
elsif header :contains "subject" "e" { fileinto "has-e"; }
else { fileinto "other"; }
