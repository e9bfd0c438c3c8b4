# include: variables are local to each script (RFC 6609 §3.4)
require ["include", "variables", "fileinto"];
set "v" "outer";
include "local_vars";
fileinto "${v}";
