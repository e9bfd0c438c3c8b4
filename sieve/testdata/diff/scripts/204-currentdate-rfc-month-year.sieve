# RFC 5260 §5.1 second example, checked by shape so that it does not depend on the day: month and year captured (SV-66, SV-68)
require ["date", "variables", "relational", "fileinto", "comparator-i;ascii-numeric"];
if currentdate :matches "month" "*" { set "month" "${1}"; }
if currentdate :matches "year" "*" { set "year" "${1}"; }
if string :matches "${month}-${year}" "??-????" { fileinto "month-year"; }
if string :value "ge" :comparator "i;ascii-numeric" "${year}" "2020" { fileinto "recent"; }
