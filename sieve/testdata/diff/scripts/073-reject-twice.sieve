# two rejects in one run is an error (SV-33)
require "reject"; reject "one"; reject "two";
