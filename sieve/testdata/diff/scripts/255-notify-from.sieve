# :from with an address, and with a display name (SV-56, NA-43)
require ["enotify"];
notify :from "me@example.com" "mailto:a@example.net";
notify :from "Me Myself <me@example.com>" :message "named" "mailto:b@example.net";
