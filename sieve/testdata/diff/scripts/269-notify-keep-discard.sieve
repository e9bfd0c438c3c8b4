# notify keeps the implicit keep; with discard and fileinto it is just another action (SV-60)
require ["enotify", "fileinto"];
notify :message "one" "mailto:a@example.org";
if header :contains "subject" "Lunch" { discard; }
if header :contains "subject" "numbers" { fileinto "Work"; redirect "assistant@example.org"; }
notify :message "two" "mailto:b@example.org";
