# an unknown relational operator is a compile error (SV-64)
require "relational"; if header :value "xx" "subject" "a" { discard; }
