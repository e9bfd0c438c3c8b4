package sieve

import (
	"strings"
	"testing"
)

// spec: SV-05
func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s        string
		fold, runes, want bool
	}{
		{"*", "", false, false, true},
		{"a*", "abc", false, false, true},
		{"*c", "abc", false, false, true},
		{"a?c", "abc", false, false, true},
		{"a?c", "ac", false, false, false},
		{"?", "é", false, false, false}, // one octet for i;octet and i;ascii-casemap
		{"??", "é", false, false, true},
		{"?", "é", false, true, true}, // one UTF-8 character for Unicode comparators
		{"??", "é", false, true, false},
		{"a*b*c", "axxbyyc", false, false, true},
		{"a*b*c", "axxbyy", false, false, false},
		{`a\*`, "a*", false, false, true},
		{`a\*`, "ab", false, false, false},
		{`\?`, "x", false, false, false},
		{`\\`, `\`, false, false, true},
		{"FROB*", "frobnitz", true, false, true},
		{"FROB*", "frobnitz", false, false, false},
		{"*make*money*fast*", "how to MAKE MONEY FAST now", true, false, true},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 5000), false, false, false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s, tt.fold, tt.runes, nil); got != tt.want {
			t.Errorf("globMatch(%q, %q, %v) = %v", tt.pattern, tt.s, tt.fold, got)
		}
	}
}

// spec: SV-07
func TestCompareNumeric(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"0", "0", 0},
		{"007", "7", 0},
		{"10", "9", 1},
		{"123abc", "123", 0},
		{"99999999999999999999999", "99999999999999999999998", 1},
		{"abc", "xyz", 0},
		{"abc", "99999999", 1},
		{"5", "", -1},
		{"", "x", 0},
	}
	for _, tt := range tests {
		if got := compareNumeric(tt.a, tt.b); got != tt.want {
			t.Errorf("compareNumeric(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// spec: SV-10
func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []string // local@domain, or !raw for unparsable
	}{
		{"a@b.example", []string{"a@b.example"}},
		{`"Joe Q. Public" <john.q.public@example.com>`, []string{"john.q.public@example.com"}},
		{"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
			[]string{"mary@x.test", "jdoe@example.org", "one@y.test"}},
		{"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
			[]string{"c@a.test", "joe@where.test", "jdoe@one.test"}},
		{"Undisclosed recipients:;", nil},
		{"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", []string{"pete@silly.test"}},
		{`"quoted local"@example.com`, []string{"quoted local@example.com"}},
		{"<@relay.example:user@example.com>", []string{"user@example.com"}},
		{"not an address", []string{"!not an address"}},
		{"a@b.example,, ,", []string{"a@b.example"}},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range parseAddressList(tt.in) {
			if a.ok {
				got = append(got, a.local+"@"+a.domain)
			} else {
				got = append(got, "!"+a.raw)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
		}
	}
	if _, ok := parseAddressList("nobody")[0].part("localpart"); ok {
		t.Errorf("unparsable address matched :localpart")
	}
}

// spec: SV-08
func TestDecodeHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  plain  ", "plain"},
		{" folded\r\n\tvalue ", "folded\tvalue"},
		{"=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"},
		{"=?iso-8859-15?q?=A4uro?=", "€uro"},
		{"=?UTF-8?B?8J+Ygg==?=", "😂"},
		{"=?unknown-charset?Q?x?=", "=?unknown-charset?Q?x?="},
		{"=?UTF-8?Q?broken", "=?UTF-8?Q?broken"},
		// One word in an unknown charset stays as written; the others are
		// still decoded, adjacent ones without the space between them.
		{"=?UTF-8?Q?a?= =?UTF-8?Q?b?= c =?x-unknown?Q?d?=  =?UTF-8?Q?e?=\t=?UTF-8?Q?f?= g",
			"ab c =?x-unknown?Q?d?=  ef g"},
	}
	for _, tt := range tests {
		if got := decodeHeader(tt.in); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
		}
	}
}

// spec: SV-06
func TestUnicodeCasemap(t *testing.T) {
	m := newMatcher(matchIs, cmpUnicode, consts("CAFÉ"))
	for _, v := range []string{"café", "Cafe\u0301", "CAFÉ"} {
		if !m.match(nil, v) {
			t.Errorf("%q does not match CAFÉ", v)
		}
	}
	if m.match(nil, "cafe") {
		t.Errorf("cafe matches CAFÉ")
	}
	c := newMatcher(matchContains, cmpUnicode, consts("ÜBER"))
	if !c.match(nil, "Grüße über alles") {
		t.Errorf(":contains ÜBER")
	}
	g := newMatcher(matchMatches, cmpUnicode, consts("*straße*"))
	if !g.match(nil, "Hauptstraße 1") || g.match(nil, "Hauptstrasse 1") {
		t.Errorf(":matches straße")
	}
}

func TestActionString(t *testing.T) {
	tests := []struct {
		a    Action
		want string
	}{
		{Keep{}, "keep"},
		{Keep{Flags: []string{`\Seen`, "$Label"}}, `keep flags "\\Seen" "$Label"`},
		{FileInto{Mailbox: "Work"}, `fileinto "Work"`},
		{FileInto{Mailbox: "Work", Copy: true}, `fileinto :copy "Work"`},
		{FileInto{Mailbox: "Wörk", Create: true, Flags: []string{"a"}}, `fileinto :create "Wörk" flags "a"`},
		{Redirect{Address: "a@example.org"}, `redirect "a@example.org"`},
		{Redirect{Address: "a@example.org", Copy: true}, `redirect :copy "a@example.org"`},
		{Discard{}, "discard"},
		{Reject{Reason: "reason\r\ntext"}, `reject "reason\r\ntext"`},
		{Reject{Reason: "r", Extended: true}, `ereject "r"`},
		{Vacation{To: "s@x.example", Subject: "Away", Days: 7, Reason: "gone"},
			`vacation to "s@x.example" subject "Away" days 7 reason "gone"`},
		{Notify{Method: "mailto:a@b.example", Importance: "2"}, `notify "mailto" importance "2" to "a@b.example"`},
		{Notify{Method: "mailto:a@b.example%2Cc@b.example?cc=d@b.example&subject=s&x-a=1&body=b", Importance: "1",
			From: "me@b.example", Message: "m", Options: []string{"o=1"}, Skip: []string{"c@B.EXAMPLE"}},
			`notify "mailto" importance "1" subject "m" from "me@b.example" to "a@b.example" cc "d@b.example" header "x-a: 1" body "b"`},
		{Notify{Method: "https://h.example/x", Importance: "3", From: "f@x.example", Options: []string{"a=b"}, Message: "m"},
			`notify "https://h.example/x" importance "3" from "f@x.example" options "a=b" message "m"`},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%#v: %s, want %s", tt.a, got, tt.want)
		}
	}
}

func consts(ss ...string) []value {
	out := make([]value, len(ss))
	for i, s := range ss {
		out[i] = value{lit: s}
	}
	return out
}
