# RFC 6068 §2 separates recipients in the to-part with a literal "," (SV-57)
require ["enotify"];
notify "mailto:a@example.org,b@example.org";
