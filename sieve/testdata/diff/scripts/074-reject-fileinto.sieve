# reject together with fileinto is an error (SV-33)
require ["reject", "fileinto"]; fileinto "Work"; reject "no";
