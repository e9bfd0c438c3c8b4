# include: a script including itself is an error (RFC 6609 §3.1)
require ["include"];
include "self";
