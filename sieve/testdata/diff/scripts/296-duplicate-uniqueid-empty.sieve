# RFC 7352 §3.1: :uniqueid may be any string, also empty
require ["duplicate", "fileinto"];
if not duplicate :uniqueid "" { fileinto "empty-id"; }
