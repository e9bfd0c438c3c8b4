# include: the global namespace needs require "include" (RFC 6609 §3.4.2, RFC 5229 §3)
require ["variables", "fileinto"];
set "global.x" "1";
fileinto "${global.x}";
