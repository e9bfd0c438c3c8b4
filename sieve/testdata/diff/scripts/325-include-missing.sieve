# include: a missing script without :optional is an error (RFC 6609 §3.1)
require ["include", "fileinto"];
fileinto "Before";
include "no_such_script";
