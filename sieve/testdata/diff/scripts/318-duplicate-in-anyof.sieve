# RFC 7352 §3: duplicate inside anyof after a true test is not evaluated
require ["duplicate", "fileinto"];
if anyof (true, duplicate) { fileinto "any"; }
if allof (false, duplicate) { discard; }
