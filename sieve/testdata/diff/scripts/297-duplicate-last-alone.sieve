# RFC 7352 §3.3: :last alone
require ["duplicate", "fileinto"];
if duplicate :last { discard; } else { fileinto "last"; }
