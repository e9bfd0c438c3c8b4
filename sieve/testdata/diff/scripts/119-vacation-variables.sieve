# vacation reason built from match variables (SV-35, SV-46)
require ["vacation", "variables"];
if header :matches "subject" "*" { vacation :subject "Re: ${1}" "Got your message about ${1}."; }
