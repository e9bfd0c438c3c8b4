# include: "global" and the global. namespace name the same variables (RFC 6609 §3.4.2)
require ["variables", "include", "fileinto"];
global "acc";
include "append";
include "append_ns";
set "global.other" "o";
fileinto "${acc}-${global.acc}-${global.other}";
