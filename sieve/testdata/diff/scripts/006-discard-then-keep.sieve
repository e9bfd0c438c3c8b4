# discard then keep: keep wins over the cancelled implicit keep (SV-14, SV-19)
discard; keep;
