# include: an included redirect cancels the implicit keep (RFC 6609 §3.1)
require ["include"];
include "redirects";
