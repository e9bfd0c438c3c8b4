# a tag given twice is an error (RFC 5228 §2.6.2)
require "duplicate";
if duplicate :handle "a" :handle "b" { discard; }
