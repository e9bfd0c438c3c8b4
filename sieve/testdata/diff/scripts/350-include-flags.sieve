# include: imap4flags in an included script and keep in the main one
require ["include", "imap4flags"];
include "flags";
keep;
