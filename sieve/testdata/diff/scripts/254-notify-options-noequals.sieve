# an option without "=" is a compile error (SV-56)
require ["enotify"];
notify :options "novalue" "mailto:a@example.net";
