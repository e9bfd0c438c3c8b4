# case-insensitive identifiers and tags, quoted-string escapes, K/M/G numbers (SV-01)
REQUIRE ["fileinto", "copy"];
IF HEADER :CONTAINS "Subject" "Lunch" { FILEINTO :COPY "upper-case"; }
if header :is "x-none" "a\qb" { discard; }
fileinto :copy "quote\"back\\slash\x";
if size :under 1K { fileinto :copy "under-1K"; }
if size :under 1M { fileinto :copy "under-1M"; }
if size :over 0G { fileinto :copy "over-0G"; }
