# group members count, group names and comments ignored, empty groups (SV-10)
require ["fileinto", "copy"];
if address :is "to" "alice@example.org" { fileinto :copy "member-1"; }
if address :is "to" "bob@example.net" { fileinto :copy "member-2"; }
if address :is "to" "me@example.com" { fileinto :copy "after-group"; }
if address :contains "to" "Friends" { fileinto :copy "group-name"; }
if address :is "from" "dave@example.com" { fileinto :copy "comments"; }
if address :matches "cc" "*" { fileinto :copy "empty-group"; }
if address :matches "bcc" "*" { fileinto :copy "undisclosed"; }
if address :domain "to" "example.net" { fileinto :copy "domain"; }
