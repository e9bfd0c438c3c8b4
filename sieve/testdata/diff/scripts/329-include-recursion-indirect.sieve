# include: indirect recursion (ping includes pong includes ping) is an error (RFC 6609 §3.1)
require ["include"];
include "ping";
