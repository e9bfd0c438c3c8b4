package sieve

import (
	"context"
	"strings"
	"testing"
	"time"
)

// dateMessage has a Date in +0130, a Received whose date follows the last
// ";" and a comment, and a Subject that is no date.
const dateMessage = `Received: from a.example.net by mx.example.org; Tue, 3 Mar 2026 23:30:15 -0500 (EST)
From: boss@example.com
To: me@example.com
Subject: Numbers
Date: Mon, 2 Mar 2026 10:05:07 +0130

Body.
`

// runDate compiles src (failing the test on a compile error) and runs it
// over msg with the given clock and server zone.
func runDate(t *testing.T, src, msg string, now time.Time, loc *time.Location) string {
	t.Helper()
	s, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return runCompiled(s, &Input{Message: newTestMessage(msg), Now: now, Location: loc})
}

// spec: SV-67
func TestParseMailDate(t *testing.T) {
	tests := []struct{ in, want string }{ // want: iso8601 in the original zone, "" for no date
		{"Mon, 2 Mar 2026 10:05:07 +0130", "2026-03-02T10:05:07+01:30"},
		{"2 Mar 2026 10:05:07 -0000", "2026-03-02T10:05:07Z"},
		{"Mon, 2 Mar 2026 10:05 +0130", "2026-03-02T10:05:00+01:30"},
		{"mon, 02 mar 2026 10:05:07 +0000", "2026-03-02T10:05:07Z"},
		{"(c) Mon (d), 2 (x) Mar 2026 10 : 05 : 07 (z) +0100 (w (nested))", "2026-03-02T10:05:07+01:00"},
		{"Mon,  2\r\n Mar 2026 10:05:07 +0000", "2026-03-02T10:05:07Z"},
		// RFC 5322 §4.3: obsolete years and zones.
		{"Mon, 2 Mar 49 10:05:07 +0000", "2049-03-02T10:05:07Z"},
		{"Mon, 2 Mar 50 10:05:07 +0000", "1950-03-02T10:05:07Z"},
		{"Mon, 2 Mar 126 10:05:07 +0000", "2026-03-02T10:05:07Z"},
		{"Mon, 2 Mar 2026 10:05:07 EST", "2026-03-02T10:05:07-05:00"},
		{"Mon, 2 Mar 2026 10:05:07 pdt", "2026-03-02T10:05:07-07:00"},
		{"Mon, 2 Mar 2026 10:05:07 GMT", "2026-03-02T10:05:07Z"},
		{"Mon, 2 Mar 2026 10:05:07 A", "2026-03-02T10:05:07Z"},
		{"Mon, 2 Mar 2026 10:05:07 CET", "2026-03-02T10:05:07Z"},
		{"Mon, 29 Feb 2024 10:05:07 +0000", "2024-02-29T10:05:07Z"},
		{"Wed, 31 Dec 2008 23:59:60 +0000", "2008-12-31T23:59:60Z"},
		{"Tue, 2 Mar 2026 10:05:07 +0000", "2026-03-02T10:05:07Z"}, // a wrong weekday is ignored
		// No date: RFC 5260 §4 makes the test false.
		{"Mon, 29 Feb 2026 10:05:07 +0000", ""},
		{"Mon, 32 Mar 2026 10:05:07 +0000", ""},
		{"Mon, 2 Mar 2026 24:00:00 +0000", ""},
		{"Mon, 2 Mar 2026 23:60:00 +0000", ""},
		{"Mon, 2 Mar 2026 23:59:61 +0000", ""},
		{"Mon, 2 Mar 2026 10:05:07", ""},
		{"Mon, 2 Mar 2026 10:05:07 +0199", ""},
		{"Mon, 2 Mar 2026 10:05:07 +01", ""},
		{"Mon, 2 Mar 2026 10:05:07 +0000 trailing", ""},
		{"Mon 2 Mar 2026 10:05:07 +0000", ""},
		{"Mon, 2 March 2026 10:05:07 +0000", ""},
		{"Mon, 2 Mar 1899 10:05:07 +0000", ""},
		{"Mon, 2 Mar 10000 10:05:07 +0000", ""},
		{"Mon, 2 Mar 2026 1:05:07 +0000", ""},
		{"Mon, 2 Mar 2026 10:05:07.5 +0000", ""},
		{"Mon, 2 Mar 2", ""},
		{"", ""},
		{"(unclosed", ""},
	}
	for _, tt := range tests {
		got := ""
		if d, ok := parseMailDate(tt.in); ok {
			got, _ = formatDatePart("iso8601", d.t.In(time.FixedZone("", d.zone*60)), d.zone, d.leap)
		}
		if got != tt.want {
			t.Errorf("parseMailDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// spec: SV-66, SV-68
func TestDateParts(t *testing.T) {
	src := `require ["date", "variables", "fileinto"];
		if date :matches "date" "%s" "*" { fileinto "${0}"; }`
	tests := []struct {
		part, zone, want string
		loc              *time.Location
	}{
		{"year", "", "2026", nil},
		{"month", "", "03", nil},
		{"day", "", "02", nil},
		{"date", "", "2026-03-02", nil},
		{"julian", "", "61101", nil}, // RFC 5260 Appendix A: MJD of 2026-03-02
		{"hour", "", "08", nil},
		{"minute", "", "35", nil},
		{"second", "", "07", nil},
		{"time", "", "08:35:07", nil},
		{"iso8601", "", "2026-03-02T08:35:07Z", nil},
		{"std11", "", "Mon, 02 Mar 2026 08:35:07 +0000", nil},
		{"zone", "", "+0000", nil},
		{"weekday", "", "1", nil},
		{"WeekDay", "", "1", nil},
		// The server's zone when the script names none (SV-68).
		{"iso8601", "", "2026-03-02T03:35:07-05:00", time.FixedZone("EST", -5*3600)},
		{"zone", "", "-0500", time.FixedZone("EST", -5*3600)},
		{"date", "", "2026-03-01", time.FixedZone("", -9*3600)},
		// :zone and :originalzone win over the server's zone.
		{"std11", `:zone "-0800"`, "Mon, 02 Mar 2026 00:35:07 -0800", time.FixedZone("", 3600)},
		{"zone", `:zone "-0000"`, "+0000", nil},
		{"date", `:zone "-0900"`, "2026-03-01", nil},
		{"julian", `:zone "-0900"`, "61100", nil},
		{"weekday", `:zone "-0900"`, "0", nil},
		{"iso8601", ":originalzone", "2026-03-02T10:05:07+01:30", time.FixedZone("", 3600)},
		{"zone", ":originalzone", "+0130", nil},
	}
	for _, tt := range tests {
		s := strings.Replace(src, `"date" "%s"`, tt.zone+` "date" "`+tt.part+`"`, 1)
		got := runDate(t, s, dateMessage, time.Time{}, tt.loc)
		if want := "fileinto " + `"` + tt.want + `"`; got != want {
			t.Errorf("%s %s (server zone %v): got %s, want %s", tt.part, tt.zone, tt.loc, got, want)
		}
	}
}

// spec: SV-66, SV-67
func TestDateTest(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"received: the date after the last semicolon", `require ["date", "fileinto"];
			if date :originalzone "received" "time" "23:30:15" { fileinto "r"; }`, `fileinto "r"`},
		{"no such field", `require ["date", "fileinto"];
			if date :matches "x-date" "year" "*" { fileinto "r"; }`, "keep"},
		{"a field without a date", `require ["date", "fileinto"];
			if date :matches "subject" "year" "*" { fileinto "r"; }`, "keep"},
		{"count is 1 with a date and 0 without", `require ["date", "relational", "fileinto"];
			if date :count "eq" "date" "year" "1" { fileinto "one"; }
			if date :count "eq" "subject" "year" "0" { fileinto "zero"; }`, "fileinto \"one\"\nfileinto \"zero\""},
		{"value with the numeric comparator", `require ["date", "relational", "comparator-i;ascii-numeric", "fileinto"];
			if date :value "lt" :comparator "i;ascii-numeric" "date" "julian" "61102" { fileinto "before"; }`,
			`fileinto "before"`},
		{"business hours in the sender's zone (RFC 5260 §4.4)", `require ["date", "relational", "fileinto"];
			if allof(header :is "from" "boss@example.com",
			         date :value "ge" :originalzone "date" "hour" "09",
			         date :value "lt" :originalzone "date" "hour" "17") { fileinto "urgent"; }`, `fileinto "urgent"`},
		{"a run-time zone that is not +hhmm falls back to the server's", `require ["date", "variables", "fileinto"];
			set "z" "CET"; if date :zone "${z}" "date" "zone" "+0000" { fileinto "utc"; }`, `fileinto "utc"`},
		{"a run-time zone", `require ["date", "variables", "fileinto"];
			set "z" "+0530"; if date :zone "${z}" "date" "time" "14:05:07" { fileinto "ist"; }`, `fileinto "ist"`},
		{"a run-time date part that does not exist matches nothing", `require ["date", "variables", "fileinto"];
			set "p" "fortnight"; if date :matches "date" "${p}" "*" { fileinto "x"; }`, "keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runDate(t, tt.src, dateMessage, time.Time{}, nil); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// spec: SV-66, SV-68
func TestDateCompileErrors(t *testing.T) {
	for _, src := range []string{
		`require "date"; if date :zone "+0100" :originalzone "date" "year" "2026" { discard; }`,
		`require "date"; if date "date" "fortnight" "1" { discard; }`,
		`require "date"; if currentdate "Fortnight" "1" { discard; }`,
		`require "date"; if date :zone "CET" "date" "year" "2026" { discard; }`,
		`require "date"; if date :zone "+01:00" "date" "year" "2026" { discard; }`,
		`require "date"; if date :zone "+0160" "date" "year" "2026" { discard; }`,
		`require "date"; if currentdate :originalzone "year" "2026" { discard; }`,
		`require "date"; if date "date" "year" { discard; }`,
		`require "date"; if date ["date", "received"] "year" "2026" { discard; }`,
		`if date "date" "year" "2026" { discard; }`,
		`if currentdate "year" "2026" { discard; }`,
	} {
		if _, err := Compile([]byte(src), Options{}); err == nil {
			t.Errorf("%s: compiled, want an error", src)
		}
	}
}

// spec: SV-68
func TestCurrentdate(t *testing.T) {
	now := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		src, want string
		loc       *time.Location
	}{
		{`if currentdate "date" "2026-11-23" { fileinto "utc"; }`, `fileinto "utc"`, nil},
		{`if currentdate "date" "2026-11-24" { fileinto "east"; }`, `fileinto "east"`, time.FixedZone("", 3600)},
		{`if currentdate :zone "-0100" "date" "2026-11-23" { fileinto "zone"; }`, `fileinto "zone"`, time.FixedZone("", 3600)},
		{`if currentdate :zone "+0100" "zone" "+0100" { fileinto "zone"; }`, `fileinto "zone"`, nil},
		{`if currentdate "iso8601" "2026-11-23T23:30:00Z" { fileinto "iso"; }`, `fileinto "iso"`, nil},
		{`if currentdate "weekday" "1" { fileinto "monday"; }`, `fileinto "monday"`, nil},
		{`if currentdate :value "ge" "date" "2007-07-07" { fileinto "later"; }`, `fileinto "later"`, nil},
	}
	for _, tt := range tests {
		src := `require ["date", "relational", "fileinto"]; ` + tt.src
		if got := runDate(t, src, dateMessage, now, tt.loc); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.src, got, tt.want)
		}
	}

	// Without Input.Now the clock is read once: every test of a run sees
	// the same instant, down to the second.
	src := `require ["date", "variables", "fileinto"];
		if currentdate :matches "iso8601" "*" { set "a" "${0}"; }
		if currentdate :matches "iso8601" "*" { set "b" "${0}"; }
		if string :is "${a}" "${b}" { fileinto "same"; }`
	for i := 0; i < 3; i++ {
		if got := runDate(t, src, dateMessage, time.Time{}, nil); got != `fileinto "same"` {
			t.Fatalf("two currentdate tests of one run differ: %s", got)
		}
	}
	// The clock of one run does not leak into the next.
	s, err := Compile([]byte(`require ["date", "fileinto"]; if currentdate "year" "2030" { fileinto "y"; }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  time.Time
		want string
	}{{now, "keep"}, {now.AddDate(4, 0, 0), `fileinto "y"`}, {now, "keep"}} {
		res, err := s.Run(context.Background(), &Input{Message: newTestMessage(dateMessage), Now: tc.now})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Actions) != 1 || res.Actions[0].String() != tc.want {
			t.Errorf("Now %v: %v, want %s", tc.now, res.Actions, tc.want)
		}
	}
}

// BenchmarkDate measures a date test, which parses the field when it runs.
func BenchmarkDate(b *testing.B) {
	s, err := Compile([]byte(`require ["date", "relational"];
		if date :value "ge" :originalzone "received" "hour" "09" { keep; }`), Options{})
	if err != nil {
		b.Fatal(err)
	}
	in := &Input{Message: newTestMessage(dateMessage)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
