# include: the script name must be a constant string (RFC 6609 §3.2)
require ["include", "variables"];
set "n" "work";
include "${n}";
