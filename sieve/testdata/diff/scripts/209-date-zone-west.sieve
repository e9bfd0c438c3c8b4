# :zone "-0800" moves the date to the previous day: every part (SV-66, SV-68)
require ["date", "variables", "fileinto"];
if date :zone "-0800" :matches "date" "date" "*" { fileinto "date-${0}"; }
if date :zone "-0800" :matches "date" "weekday" "*" { fileinto "weekday-${0}"; }
if date :zone "-0800" :matches "date" "julian" "*" { fileinto "julian-${0}"; }
if date :zone "-0800" :matches "date" "iso8601" "*" { fileinto "iso8601-${0}"; }
if date :zone "-0800" :matches "date" "std11" "*" { fileinto "std11-${0}"; }
if date :zone "-0800" :matches "date" "zone" "*" { fileinto "zone-${0}"; }
if date :zone "-0000" :matches "date" "zone" "*" { fileinto "minus-zero-${0}"; }
