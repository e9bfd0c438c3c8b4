# a literal :from that is no address is a compile error (SV-56, RFC 5435 §3.3)
require ["enotify"];
notify :from "not an address" "mailto:a@example.net";
