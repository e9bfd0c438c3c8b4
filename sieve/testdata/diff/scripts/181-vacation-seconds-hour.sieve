# vacation-seconds: an hour between replies (RFC 6131 §2). SV-35, SV-36
require "vacation-seconds";
vacation :seconds 3600 :subject "Away" "Back soon.";
