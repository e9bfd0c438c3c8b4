# vacation defaults: 7 days, no subject (SV-35, SV-36)
require "vacation"; vacation "Back soon.";
