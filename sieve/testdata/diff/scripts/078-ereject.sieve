# ereject (Pigeonhole 0.5 lacks it: compile error; zest implements it, SV-29)
require "ereject"; ereject "go away";
