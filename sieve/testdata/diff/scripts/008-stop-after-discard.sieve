# stop after discard keeps the cancellation (SV-03, SV-14)
discard; stop; keep;
