# "mailto:" without recipients is valid and notifies nobody (SV-57)
require ["enotify"];
notify :message "nobody" "mailto:";
