# encoded-character in a mailbox name and a key (RFC 5228 §2.4.2.4). SV-21
require ["encoded-character", "fileinto"];
if header :contains "subject" "${hex:4c 75 6e 63 68}" { fileinto "Caf${unicode:e9}"; }
