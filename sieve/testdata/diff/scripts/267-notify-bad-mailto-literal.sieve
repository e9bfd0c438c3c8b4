# a literal invalid mailto URI (space in the to-part): zest fails when it runs (SV-57)
require ["enotify"];
notify "mailto:a b@example.org";
