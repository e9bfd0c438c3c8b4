# two comparators on one test is a compile error (SV-05)
if header :comparator "i;octet" :comparator "i;octet" "subject" "x" { discard; }
