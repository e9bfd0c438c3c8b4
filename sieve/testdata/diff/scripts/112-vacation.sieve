# vacation with :days/:subject; no cancel of the implicit keep (SV-35, SV-36)
require "vacation"; vacation :days 3 :subject "Away" "I am away until Monday.";
