# a run-time invalid redirect address from a variable is a run-time error (SV-18, SV-23)
require "variables";
set "to" "not an address";
redirect "${to}";
