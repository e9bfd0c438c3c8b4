# a mailto URI with a bad percent-encoding built at run time is a run-time error (SV-57)
require ["enotify", "variables"];
set "m" "mailto:a@%zz";
notify "${m}";
