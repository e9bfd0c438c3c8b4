# match variables survive failed tests and are replaced by the next successful :matches (SV-48)
require ["variables", "fileinto", "envelope"];
if envelope :matches "to" "*@*" { set "user" "${1}"; }
if header :matches "x-none" "*" { set "user" "never"; }
if string :matches "${user}" "m?" { fileinto "u-${user}-${1}-${0}"; }
