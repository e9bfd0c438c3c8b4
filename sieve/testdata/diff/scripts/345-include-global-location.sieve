# include: :personal (the default) and :global name different repositories (RFC 6609 §3.2)
require ["include"];
include "site";
include :global "site";
