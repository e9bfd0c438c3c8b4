# unfolding, RFC 2047 decoding (UTF-8, ISO-8859-1, B and Q), whitespace trimming (SV-08)
require ["fileinto", "copy"];
if header :is "subject" "Grüße aus München and more news" { fileinto :copy "decoded-unfolded"; }
if header :contains "subject" "Grüße" { fileinto :copy "utf8-q"; }
if header :contains "subject" "München" { fileinto :copy "latin1-q"; }
if header :contains "from" "Jürgen" { fileinto :copy "from-b"; }
if header :is "x-mood" "😊" { fileinto :copy "emoji"; }
if header :contains "x-broken" "=?UTF-8?X?" { fileinto :copy "broken-kept"; }
if header :is "subject" "Grüße aus  München and more news" { fileinto :copy "double-space"; }
