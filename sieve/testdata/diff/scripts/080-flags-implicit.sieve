# addflag changes the implicit keep's flags; \Recent and empty names ignored (SV-51, SV-52)
require "imap4flags";
addflag "\\Seen";
addflag ["\\flagged", "$Work", "", "\\Recent"];
