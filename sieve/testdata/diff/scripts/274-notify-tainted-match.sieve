# a method built from a match variable is refused (NA-51, RFC 5435 §8)
require ["enotify", "variables"];
if header :matches "from" "*<*>" { notify "mailto:${2}"; }
