# a :from built at run time that is no address is a run-time error (SV-56, RFC 5435 §3.3)
require ["enotify", "variables"];
set "f" "bad addr";
notify :from "${f}" "mailto:a@example.net";
