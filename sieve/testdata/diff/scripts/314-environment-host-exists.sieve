# RFC 5183 §4.1: host and domain exist
require ["environment", "fileinto"];
if environment :contains "host" "" { fileinto "host"; }
if environment :contains "domain" "" { fileinto "domain"; }
