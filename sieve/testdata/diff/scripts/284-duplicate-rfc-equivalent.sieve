# RFC 7352 §3.1: the three equivalent forms (default, :header "message-id", :uniqueid "${0}")
require ["duplicate", "variables", "fileinto"];
if duplicate { fileinto "a"; }
if duplicate :header "message-id" { fileinto "b"; }
if header :matches "message-id" "*" {
  if duplicate :uniqueid "${0}" { fileinto "c"; }
}
if not duplicate { fileinto "first"; }
