# :detail matches nothing without a separator, even "*" (SV-63)
require ["subaddress", "fileinto", "envelope"];
if envelope :detail :matches "to" "*" { fileinto "has-detail"; } else { fileinto "no-detail"; }
