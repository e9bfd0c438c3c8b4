# a "date" URI header field is ignored (NA-45, RFC 5436 §2.7)
require ["enotify"];
notify "mailto:a@example.org?date=Mon,%201%20Jan%202024%2000:00:00%20+0000&X-Keep=yes";
