# redirect cancels the implicit keep; display name form accepted (SV-04, SV-14, SV-18)
redirect "Bob <bob@example.net>";
