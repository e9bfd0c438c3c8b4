# values trimmed, header names case-insensitive, several fields of one name, empty field (SV-08, SV-09)
require ["fileinto", "copy"];
if header :is "subject" "lots   of	 space" { fileinto :copy "trimmed"; }
if header :is "to" "me@example.com" { fileinto :copy "to-trimmed"; }
if header :is "x-test" "second" { fileinto :copy "second-field"; }
if header :is "x-test" "third" { fileinto :copy "third-trimmed"; }
if header :is "x-empty" "" { fileinto :copy "empty-field"; }
if header :is "x-folded" "one  two	three" { fileinto :copy "folded-exact"; }
if header :matches "x-folded" "one*three" { fileinto :copy "folded-matches"; }
if exists "x-empty" { fileinto :copy "empty-exists"; }
