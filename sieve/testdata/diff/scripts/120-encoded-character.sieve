# ${hex:} and ${unicode:} sequences; malformed ones stay (SV-21)
require ["encoded-character", "fileinto"];
fileinto "${hex:48 49}-${unicode:e9 1F600}";
fileinto "${hex:zz}-${unicode:}";
fileinto "${HEX: 4A }";
