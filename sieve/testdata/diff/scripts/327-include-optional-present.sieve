# include: :optional still includes a script that exists (RFC 6609 §3.2)
require ["include"];
include :optional "work";
