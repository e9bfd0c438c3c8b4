# currentdate in forms whose answer does not depend on the day: year, shapes of iso8601/std11, zones, julian, weekday (SV-66, SV-68)
require ["date", "relational", "fileinto", "comparator-i;ascii-numeric"];
if currentdate :value "ge" "year" "2020" { fileinto "year"; }
if currentdate :matches "iso8601" "????-??-??T??:??:??Z" { fileinto "iso8601-utc"; }
if currentdate :zone "-0500" :matches "iso8601" "????-??-??T??:??:??-05:00" { fileinto "iso8601-zone"; }
if currentdate :matches "std11" "???, ?? ??? ???? ??:??:?? +0000" { fileinto "std11"; }
if currentdate :zone "+0000" "zone" "+0000" { fileinto "zone-utc"; }
if currentdate :zone "+0100" "zone" "+0100" { fileinto "zone-plus"; }
if currentdate "zone" "+0000" { fileinto "server-zone"; }
if currentdate :value "gt" :comparator "i;ascii-numeric" "julian" "58849" { fileinto "julian"; }
if currentdate :value "le" :comparator "i;ascii-numeric" "weekday" "6" { fileinto "weekday"; }
if currentdate :matches "time" "??:??:??" { fileinto "time"; }
