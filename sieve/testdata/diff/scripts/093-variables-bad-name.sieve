# set with an invalid variable name is a compile error (SV-47)
require "variables"; set "1abc" "x";
