# keep twice is one store (SV-15)
keep; keep;
