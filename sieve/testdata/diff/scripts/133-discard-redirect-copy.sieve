# discard with redirect :copy: no implicit keep (SV-14, SV-19, SV-54)
require "copy";
redirect :copy "archive@example.net";
discard;
