# RFC 7352 §3: duplicate takes no positional argument
require "duplicate";
if duplicate "message-id" { discard; }
