# an unterminated string is a compile error (SV-01)
keep "unterminated;
