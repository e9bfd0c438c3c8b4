# more redirects than the limit (4) is a run-time error (SV-18, SV-23)
redirect "a@example.net"; redirect "b@example.net"; redirect "c@example.net";
redirect "d@example.net"; redirect "e@example.net";
