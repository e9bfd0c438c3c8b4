# include: an included script must be valid (RFC 6609 §3.2)
require ["include"];
include "broken";
