# a method built from a variable set from a match variable is refused; a fixed one is not (NA-51)
require ["enotify", "variables"];
set "own" "me-notify@example.net";
notify :message "fixed" "mailto:${own}";
if header :matches "from" "*<*>" { set "x" "${2}"; set :lower "y" "${x}"; }
notify "mailto:${y}";
