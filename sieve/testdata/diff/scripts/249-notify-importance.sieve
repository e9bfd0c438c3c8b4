# :importance "1", "2", "3" and the default "2" (SV-56)
require ["enotify"];
notify :importance "1" "mailto:high@example.net";
notify :importance "2" "mailto:normal@example.net";
notify :importance "3" "mailto:low@example.net";
notify "mailto:default@example.net";
