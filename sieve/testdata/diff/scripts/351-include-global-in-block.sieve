# include: global inside a block still declares the name (RFC 6609 §3.4.1)
require ["variables", "include", "fileinto"];
if false {
    global "acc";
}
set "acc" "v";
include "append";
fileinto "${acc}";
