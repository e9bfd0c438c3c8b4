# :importance takes a string, not a number (SV-56)
require ["enotify"];
notify :importance 1 "mailto:a@example.net";
