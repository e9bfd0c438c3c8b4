# include: return in the main script acts as stop (RFC 6609 §3.3)
require ["include", "fileinto"];
fileinto "Main";
return;
fileinto "Never";
