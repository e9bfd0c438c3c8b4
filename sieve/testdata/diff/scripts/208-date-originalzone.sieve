# :originalzone keeps the +0130 the Date field was written in, every part (SV-66, SV-68)
require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "date" "*" { fileinto "date-${0}"; }
if date :originalzone :matches "date" "time" "*" { fileinto "time-${0}"; }
if date :originalzone :matches "date" "iso8601" "*" { fileinto "iso8601-${0}"; }
if date :originalzone :matches "date" "std11" "*" { fileinto "std11-${0}"; }
if date :originalzone :matches "date" "zone" "*" { fileinto "zone-${0}"; }
if date :originalzone :matches "date" "julian" "*" { fileinto "julian-${0}"; }
