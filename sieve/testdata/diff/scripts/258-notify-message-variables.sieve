# :message with match variables from From and Subject; a fixed method (SV-56, SV-61)
require ["enotify", "variables"];
if header :matches "Subject" "*" { set "s" "${1}"; }
if address :matches :localpart "From" "*" { set "who" "${1}"; }
notify :message "${who}: ${s}" "mailto:me-notify@example.net";
notify :importance "3" :message "${s}" "mailto:me-notify2@example.net";
