# reject together with discard (SV-33; Pigeonhole's view recorded)
require "reject"; discard; reject "no";
