# include: an included script's require does not reach the including script (RFC 6609 §3.2)
require ["include"];
include "work";
fileinto "Main";
