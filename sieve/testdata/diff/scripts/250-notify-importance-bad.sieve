# :importance other than "1", "2", "3" is a compile error (SV-56)
require ["enotify"];
notify :importance "4" "mailto:a@example.net";
