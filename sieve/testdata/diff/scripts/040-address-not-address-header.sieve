# address on a non-address header is a compile error in Pigeonhole (SV-10)
if address "subject" "x" { discard; }
