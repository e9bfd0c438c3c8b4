# include: a name not declared global stays local (RFC 6609 §3.4.1)
require ["variables", "include", "fileinto"];
set "acc" "local";
include "append";
fileinto "${acc}";
