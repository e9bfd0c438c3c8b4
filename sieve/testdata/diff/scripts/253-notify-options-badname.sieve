# an option name must start with a letter or digit (SV-56)
require ["enotify"];
notify :options ["-a=x"] "mailto:a@example.net";
