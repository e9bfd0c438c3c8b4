# RFC 5183 §4.1: location is one of MTA, MDA, MUA, MS
require ["environment", "fileinto"];
if environment "location" ["MTA", "MDA", "MUA", "MS"] { fileinto "known"; }
if environment "location" "mta" { fileinto "mta"; }
