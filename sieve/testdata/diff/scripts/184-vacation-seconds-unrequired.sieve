# :seconds without require "vacation-seconds" is an unknown tag. SV-02
require "vacation";
vacation :seconds 3600 "x";
