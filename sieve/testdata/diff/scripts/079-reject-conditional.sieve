# reject only on a matching header (SV-29)
require "reject"; if header :contains "subject" "release" { reject "not now"; }
