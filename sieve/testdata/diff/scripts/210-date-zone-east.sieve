# :zone "+1345" (Chatham) moves the first Received date past midnight: date, time and zone parts (SV-66, SV-68)
require ["date", "variables", "fileinto"];
if date :zone "+1345" :matches "received" "iso8601" "*" { fileinto "iso8601-${0}"; }
if date :zone "+1345" :matches "received" "std11" "*" { fileinto "std11-${0}"; }
if date :zone "+1345" :is "received" "weekday" "3" { fileinto "wednesday"; }
