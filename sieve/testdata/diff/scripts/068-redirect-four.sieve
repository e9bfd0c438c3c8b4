# exactly four redirects is allowed (SV-18)
redirect "a@example.net"; redirect "b@example.net"; redirect "c@example.net"; redirect "d@example.net";
