# several notifies run; a recipient is notified once per run, local parts compared exactly (SV-60, NA-47)
require ["enotify"];
notify "mailto:a@example.org";
notify "mailto:a@example.org";
notify "mailto:b@example.org%2Ca@EXAMPLE.org";
notify :importance "1" "mailto:A@example.org";
notify :message "other" "mailto:c@example.org?cc=b@example.org";
