# RFC 5183 §4: an unknown item fails the test, never the script
require ["environment", "fileinto"];
if environment :matches "x-no-such-item" "*" { fileinto "exists"; }
if not environment "vnd.zest.nothing" "" { fileinto "absent"; }
