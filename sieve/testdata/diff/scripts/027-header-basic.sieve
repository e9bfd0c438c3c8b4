# header :is/:contains/:matches, default comparator is case-insensitive, header names case-insensitive (SV-05, SV-06, SV-08)
require ["fileinto", "copy"];
if header "subject" "lunch on friday?" { fileinto :copy "is-default"; }
if header :is "SUBJECT" "Lunch on Friday?" { fileinto :copy "is-exact"; }
if header :contains "Subject" "FRIDAY" { fileinto :copy "contains"; }
if header :contains "Subject" "" { fileinto :copy "contains-empty"; }
if header :matches "subject" "lunch*" { fileinto :copy "matches-star"; }
if header :matches "subject" "Lunch on Friday\\?" { fileinto :copy "matches-escaped-q"; }
if header :matches "subject" "???????????????*" { fileinto :copy "matches-q"; }
if header :matches "subject" "*day" { fileinto :copy "matches-suffix-miss"; }
if header :is ["to", "from"] ["nobody", "me@example.com"] { fileinto :copy "lists"; }
if header :is "x-none" "" { fileinto :copy "absent-is-empty"; }
if header :contains "x-none" "" { fileinto :copy "absent-contains-empty"; }
