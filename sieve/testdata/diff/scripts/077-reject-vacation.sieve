# reject together with vacation is an error (SV-33)
require ["reject", "vacation"]; vacation "away"; reject "no";
