# include: global of a name already used as a local variable is an error (RFC 6609 §3.4.1)
require ["variables", "include"];
set "x" "1";
global "x";
