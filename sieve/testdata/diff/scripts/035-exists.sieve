# exists is true only when every header is present (SV-09)
require ["fileinto", "copy"];
if exists "from" { fileinto :copy "from"; }
if exists ["From", "Subject", "Date"] { fileinto :copy "all-three"; }
if exists ["From", "X-None"] { fileinto :copy "one-missing"; }
if not exists "subject" { fileinto :copy "no-subject"; }
