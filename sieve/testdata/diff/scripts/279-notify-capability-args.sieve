# notify_method_capability needs three arguments (SV-59)
require ["enotify"];
if notify_method_capability "mailto:a@example.org" "online" { keep; }
