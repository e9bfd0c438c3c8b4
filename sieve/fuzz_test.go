package sieve

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// FuzzParse checks that any input either compiles, and then runs without
// panicking, or fails with a *CompileError whose positions lie inside the
// script.
func FuzzParse(f *testing.F) {
	seeds := []string{
		`require ["fileinto", "envelope", "copy", "imap4flags", "encoded-character"];`,
		`if header :contains ["from"] ["coyote"] { redirect "acm@example.com"; } elsif true { stop; } else { discard; }`,
		`if anyof (not address :all :contains ["To", "Cc"] "me@example.com", header :matches "subject" "*a?b\\*") { keep; }`,
		"require \"reject\"; reject text:\r\n..dotted\r\nline\r\n.\r\n;",
		`if size :over 10K { discard; } # comment`,
		`/* comment */ if exists "x" { keep :flags "\\Seen"; }`,
		`require "encoded-character"; redirect "${hex:61}@${unicode:62}.example";`,
		`require "comparator-i;ascii-numeric"; if header :comparator "i;ascii-numeric" "x" "1" {}`,
		`if allof(true,false,not true){}`,
		`require ["relational", "subaddress", "envelope"]; if anyof (address :count "ge" "to" "2", envelope :detail :value "lt" "to" "x", header :value "ne" "a" "b") { stop; }`,
		`x [ "a" , "b" ] :tag 1G ( t1, t2 );`,
		`require ["vacation", "vacation-seconds"]; vacation :seconds 60 :subject "s" :from "a@b.c" :addresses ["x@y.z"] :mime :handle "h" "r";`,
		`require ["enotify", "variables", "relational"]; set :encodeurl "b" "a&b"; if header :matches "from" "*" { set "x" "${1}"; } if allof(valid_notify_method "mailto:a@b.c", notify_method_capability :count "eq" "mailto:${x}" "online" "1") { notify :from "a@b.c" :importance "1" :options "k=v" :message "${1}" "mailto:a@b.c?body=${b}"; notify "mailto:${x}"; }`,
		`require ["body", "mailbox", "fileinto"]; if body :content ["text", ""] :matches "*x*" { fileinto :create "A"; } elsif mailboxexists "B" { stop; }`,
		`require ["date", "index", "relational"]; if anyof (date :index 1 :last :zone "+0100" :value "ge" "received" "hour" "09", currentdate :originalzone "zone" "+0000", date :originalzone :matches "date" "std11" "*", header :index 2 :count "eq" "to" "1", address :last :index 1 "to" "a@b") { stop; }`,
		`require ["variables", "imap4flags"]; set :upperfirst :lower "a" "${b}x"; if header :matches "from" "*@?*" { addflag "f" "${2}"; } if string :is "${env.x}${1}" "${a}" { setflag "${f}"; }`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	msg := newTestMessage(coyote)
	f.Fuzz(func(t *testing.T, src []byte) {
		// Parse, print, parse again: the lexer and parser agree with the
		// printer on every tree they accept.
		if tree, err := parse(string(src), 16); err == nil {
			printed := format(tree)
			again, err := parse(printed, 16)
			if err != nil {
				t.Fatalf("reparse of %q: %v", printed, err)
			}
			if format(again) != printed {
				t.Fatalf("tree changed:\n%s\n%s", printed, format(again))
			}
		}
		s, err := Compile(src, Options{MaxNesting: 16})
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) || len(ce.Errors) == 0 {
				t.Fatalf("error %T %v is not a *CompileError", err, err)
			}
			for _, e := range ce.Errors {
				if e.Line < 1 || e.Column < 1 || e.Msg == "" {
					t.Fatalf("bad error position: %+v", e)
				}
			}
			return
		}
		res, err := s.Run(context.Background(), &Input{Message: msg, Envelope: coyoteEnv})
		if err == nil && res == nil {
			t.Fatalf("nil result without error")
		}
	})
}

// FuzzMessage feeds arbitrary header text to the address parser, the
// header decoder and a script using every test: nothing panics, and every
// address split into parts has a domain (the local part may be a quoted
// empty string).
func FuzzMessage(f *testing.F) {
	for _, s := range []string{
		`"Joe Q. Public" <john.q.public@example.com>, grp: a@b.c, "x, y"@d.e;`,
		"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
		"=?ISO-8859-1?Q?Andr=E9?= <andre@example.org>",
		"<@route:a@b>", `"unterminated`, "(((", "a@", "@b", "<", "=?utf-8?b?=?=",
	} {
		f.Add(s)
	}
	s, err := Compile([]byte(`require ["envelope", "comparator-i;unicode-casemap", "subaddress", "relational", "variables"];
		if anyof (allof (header :comparator "i;unicode-casemap" :matches "from" "*?*", string :is "${0}${1}${2}" ""),
			address :localpart "from" "a", address :domain :matches "to" "*.?", header :contains "from" "x",
			header :comparator "i;unicode-casemap" :matches "to" "*x?*", envelope :domain "from" "b",
			address :detail :matches "to" "?", envelope :user :value "gt" "from" "m",
			address :count "eq" ["from", "to"] "3", header :comparator "i;unicode-casemap" :value "lt" "from" "b") { discard; }`), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, a := range parseAddressList(v) {
			if a.ok && a.domain == "" {
				t.Fatalf("%q: split into %q and %q", v, a.local, a.domain)
			}
		}
		decodeHeader(v)
		msg := newTestMessage("From: " + v + "\r\nTo:" + v + "\r\n\r\n")
		if _, err := s.Run(context.Background(), &Input{Message: msg, Envelope: Envelope{From: v, To: v}}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDate checks the date-time parser: any input either has no date or
// gives one that, written back as std11 in its own zone, reads again as
// the same instant, zone and leap second, and whose every date part is
// defined.
func FuzzDate(f *testing.F) {
	for _, s := range []string{
		"Mon, 2 Mar 2026 10:05:07 +0130",
		"2 Mar 26 10:05 EST",
		"(c) Thu, 4 (x) Mar 99 16:30 (y) PDT (z)",
		"Wed, 31 Dec 2008 23:59:60 +0000",
		"Mon, 29 Feb 2026 10:05:07 +0000",
		"from a by b; Tue, 3 Mar 2026 23:30:15 -0500 (EST)",
		"Mon, 2 Mar 126 10:05:07 A",
		"((\\",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseMailDate(s)
		if !ok {
			return
		}
		local := d.t.In(time.FixedZone("", d.zone*60))
		for _, p := range dateParts {
			if v, ok := formatDatePart(p, local, d.zone, d.leap); !ok || v == "" {
				t.Fatalf("%q: part %s undefined", s, p)
			}
		}
		std11, _ := formatDatePart("std11", local, d.zone, d.leap)
		again, ok := parseMailDate(std11)
		if !ok || !again.t.Equal(d.t) || again.zone != d.zone || again.leap != d.leap {
			t.Fatalf("%q gave %q, which reads as %+v (ok %v), not %+v", s, std11, again, ok, d)
		}
	})
}

// FuzzInclude compiles arbitrary scripts that include each other: the
// input is the main script and also the personal script "self" and the
// global script "g", beside fixed scripts using return and global. Every
// compile ends in a script or a *CompileError with positions inside the
// script, every run in a result or an error, and Includes names each
// script looked up once.
func FuzzInclude(f *testing.F) {
	for _, s := range []string{
		`require "include"; include "self";`,
		`require "include"; include :once "self"; include :global :optional "g"; return;`,
		`require ["include", "variables"]; global "acc"; include "lib"; include :once "lib"; set "global.x" "${acc}";`,
		`require ["include", "variables", "fileinto"]; global ["a", "b"]; include :personal :optional "nope"; fileinto "${global.a}${b}";`,
		`require "include"; if true { include :global "g"; return; } include "missing";`,
		`require ["include", "variables"]; set "x" "1"; global "x"; set "global.a.b" "c";`,
	} {
		f.Add([]byte(s))
	}
	lib := `require ["include", "variables"]; global "acc"; set "acc" "${acc}x"; if string "${acc}" "xxx" { return; } include :once "self";`
	msg := newTestMessage(coyote)
	f.Fuzz(func(t *testing.T, src []byte) {
		seen := map[string]int{}
		source := ScriptSourceFunc(func(global bool, name string) ([]byte, error) {
			seen[fmt.Sprint(global, name)]++
			switch {
			case !global && name == "self", global && name == "g":
				return src, nil
			case !global && name == "lib":
				return []byte(lib), nil
			}
			return nil, ErrNoScript
		})
		s, err := Compile(src, Options{MaxNesting: 16, Includes: source})
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("%s read %d times", k, n)
			}
		}
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) || len(ce.Errors) == 0 {
				t.Fatalf("error %T %v is not a *CompileError", err, err)
			}
			for _, e := range ce.Errors {
				if e.Line < 1 || e.Column < 1 || e.Msg == "" {
					t.Fatalf("bad error position: %+v", e)
				}
			}
			return
		}
		if len(s.Includes()) != len(seen) {
			t.Fatalf("Includes() = %+v, but %d scripts were read", s.Includes(), len(seen))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		res, err := s.Run(ctx, &Input{Message: msg, Envelope: coyoteEnv})
		if err == nil && res == nil {
			t.Fatalf("nil result without error")
		}
	})
}
