# include: :optional skips a missing script (RFC 6609 §3.2)
require ["include", "fileinto"];
include :optional "no_such_script";
fileinto "After";
