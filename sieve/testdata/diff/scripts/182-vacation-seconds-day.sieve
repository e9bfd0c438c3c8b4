# vacation-seconds: a whole number of days is shown as days (RFC 6131 §2). SV-36
require ["vacation", "vacation-seconds"];
vacation :seconds 172800 "Back in two days.";
