# explicit keep cancels the implicit keep, printed once (SV-04, SV-14)
keep;
