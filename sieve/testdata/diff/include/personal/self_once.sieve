require ["include", "fileinto"];
fileinto "Once";
include :once "self_once";
