# include: actions of all scripts are checked together: reject after fileinto fails (RFC 6609 §3.1)
require ["include", "fileinto"];
fileinto "Main";
include "rejects";
