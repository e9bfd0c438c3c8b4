# two match types on one test is a compile error (SV-05)
if header :is :contains "subject" "x" { discard; }
