# include: the global namespace has no sub-namespaces (RFC 6609 §3.4.2)
require ["variables", "include"];
set "global.a.b" "1";
