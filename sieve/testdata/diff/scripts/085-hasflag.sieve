# hasflag with match types and a variable (SV-51, SV-53)
require ["imap4flags", "fileinto", "copy", "variables", "relational", "comparator-i;ascii-numeric"];
setflag "\\Seen $Work $work";
if hasflag "\\seen" { fileinto :copy "has-seen"; }
if hasflag :contains "$wo" { fileinto :copy "contains"; }
if hasflag :count "eq" :comparator "i;ascii-numeric" "2" { fileinto :copy "count-2"; }
set "v" "a b";
if hasflag "v" "b" { fileinto :copy "var"; }
removeflag "\\Seen";
