# notify_method_capability: "online" is "maybe"; unknown capability or bad URI is false, not an error (SV-59, NA-50)
require ["enotify", "fileinto"];
if notify_method_capability "mailto:a@example.org" "ONLINE" "MAYBE" { fileinto "C1"; }
if notify_method_capability :comparator "i;octet" "mailto:a@example.org" "online" "MAYBE" { fileinto "C2"; }
if notify_method_capability "mailto:a@example.org" "busy" "maybe" { fileinto "C3"; }
if notify_method_capability "xmpp:a@example.org" "online" "maybe" { fileinto "C4"; }
if notify_method_capability :matches "mailto:a@example.org" "online" "m*" { fileinto "C5"; }
if notify_method_capability "mailto:a@%zz" "online" "maybe" { fileinto "C6"; }
if notify_method_capability :contains "mailto:a@example.org" "online" ["yes", "no"] { fileinto "C7"; }
