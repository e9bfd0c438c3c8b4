# RFC 2047 details: whitespace between adjacent encoded words dropped, lower-case charset and encoding, unknown charset, encoded word inside a word (SV-08)
require ["fileinto", "copy"];
if header :is "subject" "ab c =?x-unknown?Q?d=41?= e=?UTF-8?Q?f?=" { fileinto :copy "subject-literal-rest"; }
if header :contains "subject" "ab c" { fileinto :copy "adjacent-joined"; }
if header :contains "subject" "dA" { fileinto :copy "unknown-charset-decoded"; }
if header :is "x-lower" "€uro" { fileinto :copy "latin9"; }
if header :is "x-adjacent" "one two" { fileinto :copy "folded-adjacent"; }
if header :contains "from" "Zoë" { fileinto :copy "from-q-lower"; }
if header :contains "to" "日本" { fileinto :copy "quoted-encoded"; }
if address :is "to" "nihon@example.jp" { fileinto :copy "address-unaffected"; }
