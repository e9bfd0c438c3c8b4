# a second vacation in one run is an error (SV-35)
require "vacation"; vacation "one"; vacation "two";
