# include: a global script that exists only as a personal one is missing (RFC 6609 §3.1, §3.2)
require ["include"];
include :global "work";
