# vacation :mime (SV-35, SV-40)
require "vacation";
vacation :mime text:
Content-Type: text/plain; charset=utf-8

Ich bin im Urlaub.
.
;
