# RFC 5260 §4.4 first example: the boss's mail sent in business hours, in the sender's zone (SV-66, SV-68)
require ["date", "relational", "fileinto"];
if allof(header :is "from" "boss@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }
