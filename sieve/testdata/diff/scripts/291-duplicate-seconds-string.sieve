# RFC 7352 §3: :seconds takes a number
require "duplicate";
if duplicate :seconds "60" { discard; }
