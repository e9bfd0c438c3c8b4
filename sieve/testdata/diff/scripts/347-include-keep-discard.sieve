# include: an explicit keep in an included script counts (RFC 6609 §3.1)
require ["include"];
include "keeps";
discard;
