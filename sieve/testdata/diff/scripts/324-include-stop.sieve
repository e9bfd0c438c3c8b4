# include: stop in an included script ends all processing (RFC 6609 §3.2)
require ["include", "fileinto"];
include "stops";
fileinto "Main";
