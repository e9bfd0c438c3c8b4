# obsolete date-time forms: comments, no day of week, no seconds, two-digit year, alphabetic zones (SV-67)
require ["date", "index", "variables", "fileinto"];
if date :originalzone :matches "date" "std11" "*" { fileinto "date-${0}"; }
if date :matches "date" "iso8601" "*" { fileinto "utc-${0}"; }
if date :originalzone :index 1 :matches "received" "iso8601" "*" { fileinto "r1-${0}"; }
if date :originalzone :index 2 :matches "received" "iso8601" "*" { fileinto "r2-${0}"; }
if date :originalzone :index 3 :matches "received" "iso8601" "*" { fileinto "r3-${0}"; }
if date :originalzone :is "date" "zone" "-0500" { fileinto "est"; }
