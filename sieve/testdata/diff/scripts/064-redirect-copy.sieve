# redirect :copy keeps the implicit keep (SV-54)
require "copy"; redirect :copy "bob@example.net";
