# duplicate without require "duplicate" is unknown (RFC 5228 §3.2)
if duplicate { discard; }
