# RFC 5183 §4: the name is a single string, not a list
require "environment";
if environment ["location", "phase"] "x" { discard; }
