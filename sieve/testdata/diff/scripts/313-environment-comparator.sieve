# RFC 5183 §4: a comparator: i;octet is case-sensitive
require ["environment", "fileinto"];
if environment :comparator "i;octet" "phase" "POST" { fileinto "octet-upper"; }
if environment :comparator "i;octet" :is "location" "ms" { fileinto "octet-lower"; }
if environment :contains "location" "m" { fileinto "casemap"; }
