# :encodeurl is unknown without enotify (SV-62)
require ["variables"];
set :encodeurl "b" "x";
