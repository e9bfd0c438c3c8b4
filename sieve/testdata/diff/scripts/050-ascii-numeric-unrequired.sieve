# i;ascii-numeric without its require is a compile error (SV-06)
if header :comparator "i;ascii-numeric" :is "x" "1" { discard; }
