# envelope without require is unknown (SV-02)
if envelope "from" "a@b" { discard; }
