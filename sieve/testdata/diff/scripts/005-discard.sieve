# discard cancels the implicit keep (SV-04, SV-19)
discard;
