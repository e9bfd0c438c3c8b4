# include: plain includes run each time, :once skips an included script (RFC 6609 §3.2, §3.4.1)
require ["include", "variables", "fileinto"];
global "acc";
include "append";
include "append";
include :once "append";
fileinto "r${acc}";
