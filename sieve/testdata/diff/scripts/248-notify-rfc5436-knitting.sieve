# RFC 5436 §3 example: :message from match variables, "to" URI header adds a recipient (SV-56, NA-44)
require ["enotify", "variables"];

if header :contains "list-id" "knitting.example.com" {
  if header :matches "Subject" "[*] *" {
    notify :message "From ${1} list: ${2}"
        :importance "3"
        "mailto:0123456789@sms.example.net?to=backup@example.com";
  }
}
