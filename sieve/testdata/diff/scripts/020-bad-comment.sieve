# an unterminated bracket comment is a compile error (SV-01)
keep; /* never closed
