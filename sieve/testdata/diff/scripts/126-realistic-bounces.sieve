# bounce handling: envelope, header (SV-04, SV-11)
require ["envelope", "fileinto"];
if anyof(envelope :is "from" "", address :localpart :is "from" "mailer-daemon", header :contains "auto-submitted" "auto-") {
  fileinto "Bounces";
}
