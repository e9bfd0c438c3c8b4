package sieve

import (
	"strings"
	"testing"
)

// subaddress (RFC 5233) and relational (RFC 5231) over the coyote message,
// whose Cc holds RR@Example.COM, two group members and an empty group.
func TestSubaddressRelational(t *testing.T) {
	tests := []struct{ name, spec, src, want string }{
		// RFC 5233 §4 and its §5 example, with "+" as the separator.
		{"user and detail", "SV-63", `require ["subaddress", "envelope", "fileinto"];
			if envelope :user "to" "ken" { fileinto "user"; }
			if envelope :detail "to" "sieve" { fileinto "detail"; }`,
			"fileinto \"user\"\nfileinto \"detail\""},
		{"split at the first separator", "SV-63", `require ["subaddress", "envelope", "fileinto"];
			if envelope :detail "to" "a+b" { fileinto "rest"; }`, `fileinto "rest"`},
		{"no separator: detail matches nothing, not even *", "SV-63", `require ["subaddress", "fileinto"];
			if address :detail :matches "from" "*" { fileinto "detail"; }
			if address :user "from" "coyote" { fileinto "user"; }`, `fileinto "user"`},
		{"empty detail", "SV-63", `require ["subaddress", "envelope", "fileinto"];
			if envelope :detail :is "from" "" { fileinto "empty"; }`, `fileinto "empty"`},
		{"only one address part", "SV-05, SV-63", `require "subaddress"; if address :user :domain "from" "x" { discard; }`,
			"compile error"},
		{"subaddress needs require", "SV-02, SV-63", `if address :user "from" "x" { discard; }`, "compile error"},

		// RFC 5231 §4.1 and §6.
		{"value lt numeric", "SV-64", `require ["relational", "comparator-i;ascii-numeric", "fileinto"];
			if header :value "lt" :comparator "i;ascii-numeric" "x-caffeine" "1000" { fileinto "low"; }
			if header :value "GT" :comparator "i;ascii-numeric" "x-caffeine" ["1000", "100"] { fileinto "any-key"; }`,
			"fileinto \"low\"\nfileinto \"any-key\""},
		{"value with the default comparator", "SV-64", `require ["relational", "fileinto"];
			if address :value "gt" :all "from" "M" { fileinto "from-n-z"; } else { fileinto "from-a-m"; }`,
			`fileinto "from-a-m"`},
		{"value on a missing header is false", "SV-64", `require ["relational"];
			if header :value "ne" "x-none" "a" { discard; }`, "keep"},
		{"bad relation", "SV-64", `require "relational"; if header :value "xx" "subject" "a" { discard; }`,
			"compile error"},
		{"count and value exclude :is", "SV-05, SV-64", `require "relational"; if header :is :count "eq" "subject" "1" { discard; }`,
			"compile error"},
		// RFC 5231 §4.2: addresses over all named fields, group members
		// included and the empty group adding none; header fields; the
		// envelope's null sender counts 0.
		{"count addresses", "SV-65", `require ["relational", "comparator-i;ascii-numeric", "fileinto"];
			if address :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] "4" { fileinto "four"; }`,
			`fileinto "four"`},
		{"count header fields", "SV-65", `require ["relational", "comparator-i;ascii-numeric", "fileinto"];
			if header :count "eq" :comparator "i;ascii-numeric" ["subject", "x-none", "cc"] "2" { fileinto "two"; }`,
			`fileinto "two"`},
		{"count with the default comparator is a string order", "SV-64, SV-65", `require ["relational", "fileinto"];
			if address :count "gt" "cc" "10" { fileinto "3>10"; }`, `fileinto "3>10"`},
		{"count envelope", "SV-65", `require ["relational", "comparator-i;ascii-numeric", "envelope", "fileinto"];
			if envelope :count "eq" :comparator "i;ascii-numeric" ["to", "from"] "1" { fileinto "null-from"; }`,
			`fileinto "null-from"`},
		{"hasflag count", "SV-53", `require ["relational", "comparator-i;ascii-numeric", "imap4flags", "fileinto"];
			addflag "a \\Seen A"; if hasflag :count "eq" :comparator "i;ascii-numeric" "2" { fileinto "two"; }`,
			`fileinto "two" flags "\\Seen" "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := coyoteEnv
			switch {
			case strings.Contains(tt.src, `"to" "ken"`):
				env.To = "ken+sieve@example.org"
			case strings.Contains(tt.src, `"a+b"`):
				env.To = "me+a+b@example.org"
			case strings.Contains(tt.src, `"from" ""`):
				env.From = "bob+@example.org"
			case strings.Contains(tt.src, "null-from"):
				env.From = ""
			}
			if _, err := Compile([]byte(tt.src), Options{}); err != nil {
				if tt.want != "compile error" {
					t.Fatalf("%s: %v", tt.spec, err)
				}
				return
			}
			if tt.want == "compile error" {
				t.Fatalf("%s: compiled, want a compile error", tt.spec)
			}
			if got := runScript(t, tt.src, coyote, env); got != tt.want {
				t.Errorf("%s:\ngot:  %s\nwant: %s", tt.spec, got, tt.want)
			}
		})
	}
}
