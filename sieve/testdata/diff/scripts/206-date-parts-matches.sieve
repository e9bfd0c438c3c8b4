# every date part with :matches "*", its value captured into the mailbox name (SV-66)
require ["date", "variables", "fileinto"];
if date :matches "date" "year" "*" { fileinto "year-${0}"; }
if date :matches "date" "month" "*" { fileinto "month-${0}"; }
if date :matches "date" "day" "*" { fileinto "day-${0}"; }
if date :matches "date" "date" "*" { fileinto "date-${0}"; }
if date :matches "date" "julian" "*" { fileinto "julian-${0}"; }
if date :matches "date" "hour" "*" { fileinto "hour-${0}"; }
if date :matches "date" "minute" "*" { fileinto "minute-${0}"; }
if date :matches "date" "second" "*" { fileinto "second-${0}"; }
if date :matches "date" "time" "*" { fileinto "time-${0}"; }
if date :matches "date" "iso8601" "*" { fileinto "iso8601-${0}"; }
if date :matches "date" "std11" "*" { fileinto "std11-${0}"; }
if date :matches "date" "zone" "*" { fileinto "zone-${0}"; }
if date :matches "date" "weekday" "*" { fileinto "weekday-${0}"; }
if date :matches "date" "date" "????-*-?2" { fileinto "pattern-${1}-${2}"; }
