package sieve

import "testing"

// Examples of the extensions implemented here, over RFC 5228's message A
// (From coyote@desert.example.org, 1 KB).
func TestExtensionExamples(t *testing.T) {
	tests := []struct{ rfc, spec, src, want string }{
		{"RFC 3894 §3", "SV-54", `require ["copy", "fileinto"]; fileinto :copy "incoming";`,
			"fileinto :copy \"incoming\"\nkeep"},
		{"RFC 3894 §3", "SV-54", `require ["copy"]; redirect :copy "boss@example.com";`,
			"redirect :copy \"boss@example.com\"\nkeep"},
		{"RFC 3894 §3", "SV-14", `require ["copy", "fileinto"]; fileinto :copy "a"; fileinto "b";`,
			"fileinto :copy \"a\"\nfileinto \"b\""},
		{"RFC 5429 §2.2", "SV-29", "require [\"reject\"];\nif header :contains \"from\" \"coyote@desert.example.org\" {\n" +
			"  reject text:\nI am not taking mail from you, and I don't\nwant your birdseed, either!\n.\n;\n}",
			`reject "I am not taking mail from you, and I don't\r\nwant your birdseed, either!\r\n"`},
		{"RFC 5429 §2.1", "SV-29", `require ["ereject"];
			if address "from" "coyote@desert.example.org" { ereject "I no longer accept mail from you"; }`,
			`ereject "I no longer accept mail from you"`},
		{"RFC 5429 §2.4", "SV-33", `require ["reject", "fileinto"]; fileinto "a"; reject "no";`,
			"error: reject cannot be combined with fileinto"},
		{"RFC 5429 §2.4", "SV-33", `require ["reject"]; discard; reject "no";`, "discard\nreject \"no\""},
		{"RFC 5232 §7", "SV-51", `require "imap4flags"; if size :over 500 { setflag "\\Deleted"; }`,
			`keep flags "\\Deleted"`},
		{"RFC 5232 §7", "SV-51", `require ["imap4flags"];
			if address :matches "from" "*@*.example.org" { addflag "\\Flagged"; }
			if header :contains "subject" "present" { addflag "$Present \\flagged"; }`,
			`keep flags "\\Flagged" "$Present"`},
		{"RFC 5232 §3.3", "SV-51", `require "imap4flags"; setflag ["a", "b c"]; removeflag "B"; `,
			`keep flags "a" "c"`},
		{"RFC 5232 §4", "SV-51", `require "imap4flags"; setflag "\\Seen"; if not hasflag :contains "see" { discard; }`,
			`keep flags "\\Seen"`},
		{"RFC 5232 §5", "SV-52", `require ["imap4flags", "fileinto"]; setflag "x"; fileinto "a"; fileinto :flags "" "b";`,
			"fileinto \"a\" flags \"x\"\nfileinto \"b\""},
	}
	env := Envelope{From: "coyote@desert.example.org", To: "roadrunner@acme.example.com"}
	for _, tt := range tests {
		if got := runScript(t, tt.src, rfcMessageA, env); got != tt.want {
			t.Errorf("%s (%s):\n%s\ngot:  %s\nwant: %s", tt.rfc, tt.spec, tt.src, got, tt.want)
		}
	}
}
