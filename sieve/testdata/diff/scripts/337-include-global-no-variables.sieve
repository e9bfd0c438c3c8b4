# include: global needs the variables extension (RFC 6609 §3.4.1)
require ["include"];
global "x";
