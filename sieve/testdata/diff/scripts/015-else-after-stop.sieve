# else after a non-if command is an error (SV-03)
if true { keep; } stop; else { discard; }
