# notify is collected for an auto-submitted message; the caller skips sending it (NA-47 is the caller's)
require ["enotify"];
notify :importance "3" "mailto:a@example.org";
