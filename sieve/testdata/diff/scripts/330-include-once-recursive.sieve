# include: include :once of a script already running is skipped, not an error (RFC 6609 §3.2)
require ["include"];
include "self_once";
