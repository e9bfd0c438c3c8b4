# :days 0 becomes 1 (SV-36)
require "vacation"; vacation :days 0 "x";
