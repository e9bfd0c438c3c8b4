# RFC 5183 §4.1: remote-host and remote-ip do not exist without a connection (sieve-test has none)
require ["environment", "fileinto"];
if environment :contains "remote-ip" "" { fileinto "remote-ip"; }
if environment :matches "remote-host" "*" { fileinto "remote-host"; }
if not environment :contains "remote-ip" "" { fileinto "no-connection"; }
