# include: :personal and :global exclude each other (RFC 6609 §3.2)
require ["include"];
include :personal :global "site";
