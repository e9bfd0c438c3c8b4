# i;octet comparator is case-sensitive (SV-06)
require ["fileinto", "copy"];
if header :comparator "i;octet" :is "subject" "lunch on friday?" { fileinto :copy "octet-lower"; }
if header :comparator "i;octet" :is "subject" "Lunch on Friday?" { fileinto :copy "octet-exact"; }
if header :comparator "i;octet" :matches "subject" "L*?" { fileinto :copy "octet-matches"; }
if header :comparator "i;ascii-casemap" :contains "subject" "LUNCH" { fileinto :copy "casemap"; }
