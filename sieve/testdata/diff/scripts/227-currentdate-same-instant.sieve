# all currentdate tests of a run see one instant: two readings of the time agree (SV-68)
require ["date", "variables", "fileinto"];
if currentdate :matches "iso8601" "*" { set "a" "${0}"; }
if currentdate :matches "iso8601" "*" { set "b" "${0}"; }
if string :is "${a}" "${b}" { fileinto "same"; }
if currentdate :zone "+0000" :matches "iso8601" "*" { if string :is "${a}" "${0}" { fileinto "same-zone"; } }
