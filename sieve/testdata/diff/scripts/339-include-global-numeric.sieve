# include: global.NAME must be an identifier, not a number (RFC 6609 §3.4.2)
require ["variables", "include"];
set "global.12" "1";
