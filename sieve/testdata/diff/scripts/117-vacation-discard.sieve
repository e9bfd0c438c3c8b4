# vacation combines with discard and fileinto (SV-35)
require ["vacation", "fileinto"]; vacation "away"; fileinto "Seen"; discard;
