# RFC 7352 §6.3 (example 3, second form) without enotify: :uniqueid of sender and subject, "not duplicate"
require ["variables", "envelope", "duplicate", "fileinto"];

if envelope :matches "from" "*" { set "sender" "${1}"; }
if header :matches "subject" "*" { set "subject" "${1}"; }

# account for 'Re:' prefix
if string :comparator "i;ascii-casemap"
  :matches "${subject}" "Re:*"
{
  set "subject" "${1}";
}
if not duplicate :seconds 1800
  :uniqueid "${sender} ${subject}"
{
  fileinto "notified-${sender}";
}
