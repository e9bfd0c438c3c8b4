# two modifiers of equal precedence is a compile error (SV-47)
require "variables"; set :lower :upper "a" "b";
