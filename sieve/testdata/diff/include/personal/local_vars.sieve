require ["variables", "fileinto"];
set "v" "inner";
fileinto "${v}";
