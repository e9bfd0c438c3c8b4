# reject with a multi-line text: reason (SV-01, SV-29)
require "reject";
reject text:
Your message was refused.
..Please do not retry.
.
;
