# RFC 7352 §3: a new message is not a duplicate; "not duplicate" runs the block
require ["duplicate", "fileinto"];
if not duplicate { fileinto "new"; } else { fileinto "seen"; }
