# an invalid header name in a test matches nothing, not an error (SV-08)
require "fileinto";
if header :contains "bad name:" "" { fileinto "matched"; } else { fileinto "no-match"; }
