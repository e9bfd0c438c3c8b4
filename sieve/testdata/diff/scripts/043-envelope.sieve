# envelope from/to with address parts (SV-11)
require ["envelope", "fileinto", "copy"];
if envelope "from" "alice@example.org" { fileinto :copy "from"; }
if envelope :localpart "from" "alice" { fileinto :copy "from-local"; }
if envelope :domain "to" "EXAMPLE.COM" { fileinto :copy "to-domain"; }
if envelope :all :is "to" "me@example.com" { fileinto :copy "to"; }
if envelope :contains ["to", "from"] "bob" { fileinto :copy "bob"; }
