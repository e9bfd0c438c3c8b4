# ${0}..${9} from the last successful :matches, shortest match (SV-48)
require ["variables", "fileinto"];
if header :matches "subject" "[*] *" { fileinto "lists/${1}/${2}"; }
if header :matches "from" "*@*" { fileinto "from/${1}/${2}/${0}"; }
if header :matches "subject" "nomatch*" { fileinto "never"; }
fileinto "still/${1}/${9}";
