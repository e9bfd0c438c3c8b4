# zone and date part built from variables at run time; an unknown part then matches nothing (SV-66, SV-68)
require ["date", "variables", "fileinto"];
set "z" "+0530";
set "p" "hour";
set "bad" "fortnight";
if date :zone "${z}" :matches "date" "${p}" "*" { fileinto "hour-${0}"; }
if date :zone "${z}" :matches "date" "zone" "*" { fileinto "zone-${0}"; }
if date :matches "date" "${bad}" "*" { fileinto "bad-part"; }
set "p" "WEEKDAY";
if date :matches "date" "${p}" "*" { fileinto "weekday-${0}"; }
