# :days and :seconds exclude each other (RFC 6131 §2): a compile error. SV-05
require "vacation-seconds";
vacation :days 1 :seconds 60 "x";
