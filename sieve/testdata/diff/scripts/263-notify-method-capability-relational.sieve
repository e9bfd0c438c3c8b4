# notify_method_capability with :count and :value (SV-59, RFC 5435 §5)
require ["enotify", "fileinto", "relational", "comparator-i;ascii-numeric"];
if notify_method_capability :count "eq" :comparator "i;ascii-numeric" "mailto:a@example.org" "online" "1" { fileinto "R1"; }
if notify_method_capability :count "eq" :comparator "i;ascii-numeric" "mailto:a@example.org" "bogus" "0" { fileinto "R2"; }
if notify_method_capability :value "gt" "mailto:a@example.org" "online" "m" { fileinto "R3"; }
if notify_method_capability :value "lt" "mailto:a@example.org" "online" "m" { fileinto "R4"; }
