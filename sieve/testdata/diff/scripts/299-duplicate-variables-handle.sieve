# RFC 7352 §3.2 with variables: a :handle and :header built at run time
require ["duplicate", "variables", "fileinto"];
set "h" "X-Ticket-ID";
if duplicate :handle "${h}" :header "${h}" { discard; } else { fileinto "${h}"; }
