# reject with a UTF-8 reason (SV-29)
require "reject"; reject "Nachricht abgelehnt: Grüße";
