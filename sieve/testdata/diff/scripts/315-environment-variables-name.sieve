# RFC 5183 §4 with variables: the item name built at run time
require ["environment", "variables", "fileinto"];
set "item" "nothing";
if environment :contains "${item}" "" { fileinto "found"; } else { fileinto "not-found"; }
