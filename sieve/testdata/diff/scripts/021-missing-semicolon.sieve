# a missing semicolon is a compile error (SV-01)
keep
discard;
