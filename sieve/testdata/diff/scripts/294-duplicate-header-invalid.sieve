# RFC 7352 §3.1: an invalid header name is not an error, the test is false
require ["duplicate", "fileinto"];
if duplicate :header "not a header:" { discard; } else { fileinto "invalid-name"; }
