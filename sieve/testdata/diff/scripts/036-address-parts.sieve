# address :all/:localpart/:domain, display names ignored, default :all and :is (SV-10)
require ["fileinto", "copy"];
if address "from" "alice@example.org" { fileinto :copy "all-default"; }
if address :all :is "from" "ALICE@EXAMPLE.ORG" { fileinto :copy "all-case"; }
if address :localpart "from" "alice" { fileinto :copy "localpart"; }
if address :domain "from" "example.org" { fileinto :copy "domain"; }
if address :domain :matches "from" "*.org" { fileinto :copy "domain-matches"; }
if address :contains "from" "Alice Example" { fileinto :copy "display-name"; }
if address :is "to" "me@example.com" { fileinto :copy "to"; }
