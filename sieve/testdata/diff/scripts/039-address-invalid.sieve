# unparseable addresses never match :localpart/:domain (SV-10)
require ["fileinto", "copy"];
if address :localpart :matches "from" "*" { fileinto :copy "from-local"; }
if address :domain :matches "from" "*" { fileinto :copy "from-domain"; }
if address :all :matches "from" "*" { fileinto :copy "from-all"; }
if address :all :contains "from" "not an address" { fileinto :copy "from-raw"; }
if address :localpart :is "to" "me" { fileinto :copy "to-good"; }
if address :domain :matches "sender" "*" { fileinto :copy "sender-domain"; }
