# :contains with i;ascii-numeric is a compile error (SV-06)
require "comparator-i;ascii-numeric"; if header :comparator "i;ascii-numeric" :contains "x" "1" { discard; }
