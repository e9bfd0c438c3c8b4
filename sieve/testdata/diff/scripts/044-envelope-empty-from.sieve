# the empty reverse path matches "" for every address part (SV-11)
require ["envelope", "fileinto", "copy"];
if envelope :is "from" "" { fileinto :copy "empty-all"; }
if envelope :localpart :is "from" "" { fileinto :copy "empty-local"; }
if envelope :domain :is "from" "" { fileinto :copy "empty-domain"; }
if envelope :matches "from" "?*" { fileinto :copy "non-empty"; }
