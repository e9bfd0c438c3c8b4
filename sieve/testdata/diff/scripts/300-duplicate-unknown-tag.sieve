# RFC 7352 §4: duplicate does not take :index or other tags
require ["duplicate"];
if duplicate :index 1 { discard; }
