# RFC 5260 §5.1 first example: a vacation only in the first week of July 2007, long past whatever today is (SV-66)
require ["date", "relational", "vacation"];
if allof(currentdate :value "ge" "date" "2007-06-30",
         currentdate :value "le" "date" "2007-07-07")
{ vacation :days 7 "I'm away during the first week in July."; }
