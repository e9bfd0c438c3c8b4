# :options with valid "name=value" strings; mailto ignores them (SV-56)
require ["enotify"];
notify :options ["a.b-c_d=x", "0x=", "key=value=with=equals"] :message "opts" "mailto:a@example.net";
