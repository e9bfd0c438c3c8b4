# a redirect address built from variables (SV-46)
require "variables";
if address :localpart :matches "from" "*" { redirect "${1}-fwd@example.net"; }
