# include: match variables of an included script do not leak (RFC 6609 §3.4)
require ["include", "variables", "fileinto"];
if header :matches "Subject" "*" {
    include "matches";
    fileinto "outer-${1}";
}
