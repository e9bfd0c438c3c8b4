# allof/anyof stop at the first decisive test; match variables show which ran (SV-13, SV-48)
require ["variables", "fileinto"];
if anyof(header :matches "subject" "*", header :matches "from" "*") { fileinto "any-${1}"; }
if allof(header :matches "from" "*example*", header :matches "x-none" "*") { fileinto "never"; }
fileinto "after-${1}";
