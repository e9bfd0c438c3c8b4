# environment without require is unknown (RFC 5228 §3.2)
if environment "name" "x" { discard; }
