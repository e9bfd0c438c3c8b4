# vacation :from, :handle, :addresses (SV-35, SV-37)
require "vacation";
vacation :from "me@example.com" :handle "ooo-2026" :addresses ["me@example.com", "me2@example.com"] :subject "Out of office" "Out of office.";
