# an invalid constant redirect address is a compile error (SV-18)
redirect "not an address";
