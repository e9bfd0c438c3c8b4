# a number beyond the limit is a compile error (SV-01)
if size :over 99999999999999999999 { discard; }
