# subaddress on the envelope and on headers (RFC 5233 §4). SV-63
require ["subaddress", "envelope", "fileinto", "copy"];
if envelope :detail "to" "lists" { fileinto :copy "env-detail"; }
if envelope :user "to" "me" { fileinto :copy "env-user"; }
if address :detail :contains "to" "" { fileinto :copy "hdr-has-detail"; }
if address :user "from" "orders" { fileinto :copy "from-user"; }
