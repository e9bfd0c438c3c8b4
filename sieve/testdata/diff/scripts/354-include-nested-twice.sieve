# include: a script included twice from another runs twice; one mailbox stores once
require ["include"];
include "twice";
include "work";
