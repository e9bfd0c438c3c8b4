# RFC 7352 §3.3: :seconds 0 is false unconditionally
require ["duplicate", "fileinto"];
if duplicate :seconds 0 { discard; } else { fileinto "zero"; }
