# include: return ends the included script only (RFC 6609 §3.3)
require ["include", "fileinto"];
include "returns";
fileinto "Main";
