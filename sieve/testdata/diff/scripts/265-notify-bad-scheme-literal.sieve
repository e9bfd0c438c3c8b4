# a literal unsupported scheme: zest fails when it runs (SV-57, NA-42)
require ["enotify"];
notify "xmpp:a@example.org";
