# stop before any action: implicit keep (SV-03)
stop; discard;
