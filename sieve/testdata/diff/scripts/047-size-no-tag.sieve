# size without :over/:under is a compile error (SV-12)
if size 100 { discard; }
