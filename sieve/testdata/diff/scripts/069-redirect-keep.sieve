# redirect plus keep (SV-04)
redirect "bob@example.net"; keep;
