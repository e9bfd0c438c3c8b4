# notify needs its method, a single string (SV-56)
require ["enotify"];
notify ["mailto:a@example.org", "mailto:b@example.org"];
