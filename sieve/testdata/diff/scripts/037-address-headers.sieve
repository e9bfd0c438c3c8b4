# address on Cc, Sender, Reply-To, Resent-*, several headers (SV-10)
require ["fileinto", "copy"];
if address :is "cc" "carol@example.org" { fileinto :copy "cc"; }
if address :domain "sender" "lists.example.org" { fileinto :copy "sender"; }
if address :is "reply-to" "zest-dev@lists.example.org" { fileinto :copy "reply-to"; }
if address :is ["to", "cc"] "me@example.com" { fileinto :copy "to-or-cc"; }
if address :is "resent-from" "relay@example.com" { fileinto :copy "resent-from"; }
if address :localpart "resent-to" "me+resent" { fileinto :copy "resent-to"; }
