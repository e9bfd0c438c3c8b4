# Received fields: the date after the last ";" of the first field, a comment after it, an obsolete one (SV-67, SV-69)
require ["date", "index", "variables", "fileinto"];
if date :matches "received" "iso8601" "*" { fileinto "first-${0}"; }
if date :index 2 :matches "received" "iso8601" "*" { fileinto "second-${0}"; }
if date :originalzone :index 3 :matches "received" "std11" "*" { fileinto "third-${0}"; }
if date :index 1 :last :matches "received" "date" "*" { fileinto "last-${0}"; }
if date :index 4 :matches "received" "date" "*" { fileinto "fourth-${0}"; }
if date :index 3 :last :zone "+0000" :matches "received" "time" "*" { fileinto "third-from-end-${0}"; }
