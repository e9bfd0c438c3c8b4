# two match types are an error (RFC 5228 §2.7.1)
require "environment";
if environment :is :contains "name" "x" { discard; }
