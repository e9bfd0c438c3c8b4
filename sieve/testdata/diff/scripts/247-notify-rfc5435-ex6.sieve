# RFC 5435 §6 example 6: set :encodeurl keeps "&" and "=" out of the URI's structure (SV-62)
require ["enotify", "variables"];

set :encodeurl "body_param" "Safe body&evil=evilbody";

notify "mailto:tim@example.com?body=${body_param}";
