# include: return inside an if of the included script (RFC 6609 §3.3)
require ["include", "fileinto"];
include "return_if";
fileinto "Main";
