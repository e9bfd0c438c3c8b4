# size with both :over and :under is a compile error (SV-12)
if size :over 1 :under 100 { discard; }
