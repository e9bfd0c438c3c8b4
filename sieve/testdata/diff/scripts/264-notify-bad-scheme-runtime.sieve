# an unsupported scheme built at run time is a run-time error (SV-57, NA-42)
require ["enotify", "variables", "fileinto"];
set "m" "xmpp:a@example.org";
fileinto "Before";
notify "${m}";
