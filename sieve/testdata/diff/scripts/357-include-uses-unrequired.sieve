# include: an included script without the require it needs is invalid (RFC 6609 §3.2)
require ["include", "fileinto"];
include "uses_fileinto";
