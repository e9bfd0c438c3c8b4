# :encodeurl (precedence 15) after :upper and :quotewildcard, before :length (SV-62, SV-47)
require ["enotify", "variables"];
set :encodeurl "b" "Safe body&evil=evilbody ~-._/?#";
set :encodeurl :upper "c" "a b";
set :encodeurl :length "d" "a b";
set :quotewildcard :encodeurl "e" "a*?";
notify :message "${b}|${c}|${d}|${e}" "mailto:tim@example.com?body=${b}";
