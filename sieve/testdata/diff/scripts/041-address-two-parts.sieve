# two address parts on one test is a compile error (SV-05)
if address :localpart :domain "from" "x" { discard; }
