# an unknown comparator is a compile error (SV-06)
if header :comparator "i;nope" "subject" "x" { discard; }
