# encoded characters in a test key (SV-21)
require ["encoded-character", "fileinto"];
if header :contains "subject" "${hex:46 72 69 64 61 79}" { fileinto "decoded-key"; }
