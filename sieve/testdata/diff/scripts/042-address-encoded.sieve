# RFC 2047 display names do not disturb address matching (SV-08, SV-10)
require ["fileinto", "copy"];
if address :is "from" "juergen@example.de" { fileinto :copy "from"; }
if address :is "to" "andre@example.fr" { fileinto :copy "to-1"; }
if address :domain "to" "example.com" { fileinto :copy "to-2"; }
