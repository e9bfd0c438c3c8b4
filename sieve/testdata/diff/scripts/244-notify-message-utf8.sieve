# a UTF-8 :message and :from with a display name on one notify (SV-56, SV-61)
require ["enotify"];
notify :message "Grüße" :from "Me <me@example.com>" "mailto:a@example.org";
