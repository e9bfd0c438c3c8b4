# header :index and :last on repeated fields, beyond the count, over two names (SV-69)
require ["index", "variables", "fileinto"];
if header :index 2 :contains "received" "mx1.example.net" { fileinto "second-mx1"; }
if header :index 1 :contains "received" "mx1.example.net" { fileinto "first-mx1"; }
if header :index 1 :last :matches "received" "from * by *;*" { fileinto "last-${1}"; }
if header :index 4 :matches "received" "*" { fileinto "fourth"; }
if header :index 2 :matches ["to", "cc"] "*" { fileinto "to-cc-2-${0}"; }
if header :index 1 :last :matches ["to", "cc"] "*" { fileinto "to-cc-last-${0}"; }
if header :index 3 :is ["to", "cc"] "erin@example.com" { fileinto "cc-third"; }
