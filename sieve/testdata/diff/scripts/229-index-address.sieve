# address :index picks a field, and every address in it is tested (SV-69)
require ["index", "fileinto"];
if address :index 1 :is "to" "bob@example.com" { fileinto "first-bob"; }
if address :index 1 :is "to" "carol@example.com" { fileinto "first-carol"; }
if address :index 2 :is :localpart "to" "dave" { fileinto "second-dave"; }
if address :index 1 :last :is "to" "alice@example.com" { fileinto "last-alice"; }
if address :index 2 :last :domain :is "to" "example.com" { fileinto "second-last-domain"; }
if address :index 3 :is "to" "erin@example.com" { fileinto "third-to"; }
if address :index 3 :is ["to", "cc"] "erin@example.com" { fileinto "third-to-cc"; }
