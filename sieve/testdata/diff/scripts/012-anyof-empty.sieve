# anyof with an empty test list is a syntax error in Pigeonhole (SV-01)
if anyof() { discard; }
