# RFC 7352 §3: :handle takes a single string, not a list
require "duplicate";
if duplicate :handle ["a", "b"] { discard; }
