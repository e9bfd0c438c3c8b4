# the same redirect twice is one action (SV-15)
redirect "bob@example.net"; redirect "BOB@example.net"; redirect "carol@example.org";
