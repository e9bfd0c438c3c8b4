# elsif not following if is an error (SV-03)
elsif true { keep; }
