# :user/:detail with + separator (SV-63)
require ["subaddress", "fileinto", "copy", "envelope", "variables"];
if address :user "from" "orders" { fileinto :copy "from-user"; }
if address :detail "from" "shop" { fileinto :copy "from-detail"; }
if address :detail :is "cc" "" { fileinto :copy "empty-detail"; }
if address :detail :matches "cc" "+x" { fileinto :copy "double-plus"; }
if address :user :is "cc" "other" { fileinto :copy "double-plus-user"; }
if address :user :is "to" "me" { fileinto :copy "to-user"; }
if envelope :detail :matches "to" "*" { fileinto :copy "env-detail-${1}"; }
if envelope :user "to" "me" { fileinto :copy "env-user"; }
