# RFC 7352 §3.3: a period above the maximum is silently capped, not an error
require ["duplicate", "fileinto"];
if duplicate :seconds 4000000000 { discard; } else { fileinto "capped"; }
