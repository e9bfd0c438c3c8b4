# an encoded surrogate code point is an error (SV-21; Pigeonhole's view recorded)
require ["encoded-character", "fileinto"];
fileinto "${unicode:D800}";
