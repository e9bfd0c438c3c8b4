# an unknown envelope part is a compile error in Pigeonhole (SV-11)
require "envelope"; if envelope "cc" "x" { discard; }
