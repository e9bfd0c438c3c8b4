# RFC 5260 §4.4 first example with address instead of header, so that it matches "Boss <boss@example.com>" (SV-66, SV-68)
require ["date", "relational", "fileinto"];
if allof(address :is "from" "boss@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }
