package sieve

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// coyote is the message of RFC 5228 §2.7.4 with a few more fields.
const coyote = `Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)
From: coyote@desert.example.org
To: roadrunner@acme.example.com
Cc: "Road Runner" <RR@Example.COM>, friends: tweety@example.net, sylvester@example.net;,
 undisclosed:;
Sender: owner-ietf-mta-filters@imc.org
Subject: I have a present for you
X-Caffeine: 200
X-Encoded: =?ISO-8859-1?Q?Caf=E9?= au =?UTF-8?B?bGFpdA==?=
X-Folded: first
	second

Look, I'm sorry about the whole anvil thing, and I really
didn't mean to try and drop it on you from the top of the
cliff.  I want to try to make it up to you.
`

var coyoteEnv = Envelope{From: "coyote@desert.example.org", To: "roadrunner@acme.example.com"}

func TestRun(t *testing.T) {
	tests := []struct {
		name string
		spec string
		src  string
		want string
	}{
		// RFC 5228 §3.1
		{"if-chain", "SV-03", `if header :contains ["from"] ["coyote"] { redirect "acm@example.com"; }
			elsif header :contains "subject" "$$$" { redirect "postmaster@example.com"; }
			else { redirect "field@example.com"; }`, `redirect "acm@example.com"`},
		{"elsif runs", "SV-03", `if false { discard; } elsif true { fileinto "x"; } else { discard; }`,
			"error"}, // fileinto without require is a compile error: covered in TestCompileErrors
		{"else runs", "SV-03", `if false { discard; } elsif false { discard; } else { redirect "a@b.example"; }`,
			`redirect "a@b.example"`},
		{"only one branch", "SV-03", `if true { redirect "a@b.example"; } elsif true { discard; } else { discard; }`,
			`redirect "a@b.example"`},
		// RFC 5228 §3.3: stop keeps the implicit keep.
		{"stop", "SV-03", `stop; discard;`, "keep"},
		{"stop after discard", "SV-03", `discard; stop; keep;`, "discard"},
		// RFC 5228 §4.1
		{"fileinto", "SV-04", `require "fileinto"; if header :contains ["from"] "coyote" { fileinto "INBOX.harassment"; }`,
			`fileinto "INBOX.harassment"`},
		// RFC 5228 §4.2
		{"redirect", "SV-04", `redirect "bart@example.com";`, `redirect "bart@example.com"`},
		{"redirect phrase form", "SV-18", `redirect "Bart <bart@example.com>";`, `redirect "bart@example.com"`},
		// RFC 5228 §4.3
		{"keep under 1M", "SV-04, SV-12", `if size :under 1M { keep; } else { discard; }`, "keep"},
		{"discard over 1", "SV-12, SV-19", `if size :over 1 { discard; }`, "discard"},
		{"size over equal", "SV-12", `if size :over 100000 { discard; }`, "keep"},
		// RFC 5228 §5.1, §2.7.4
		{"address all", "SV-10", `if address :is :all "from" "coyote@desert.example.org" { discard; }`, "discard"},
		{"address localpart", "SV-10", `if address :localpart "to" "ROADRUNNER" { discard; }`, "discard"},
		{"address domain casemap", "SV-10", `if address :domain "cc" "example.com" { discard; }`, "discard"},
		{"address display name ignored", "SV-10", `if address :contains "cc" "Road" { discard; }`, "keep"},
		{"address group member", "SV-10", `if address :is "cc" "sylvester@example.net" { discard; }`, "discard"},
		{"address group name ignored", "SV-10", `if address :contains "cc" "friends" { discard; }`, "keep"},
		{"address octet", "SV-06", `if address :comparator "i;octet" :domain "cc" "example.com" { discard; }`, "keep"},
		// RFC 5228 §5.2, §5.3
		{"allof", "SV-13", `if allof (header :contains "From" "coyote", header :contains "Subject" "present") { discard; }`, "discard"},
		{"allof false", "SV-13", `if allof (true, false) { discard; }`, "keep"},
		{"anyof", "SV-13", `if anyof (false, header :contains "Subject" "present") { discard; }`, "discard"},
		{"not", "SV-04", `if not exists "X-Missing" { discard; }`, "discard"},
		// RFC 5228 §5.5
		{"exists all present", "SV-09", `if exists ["From","Date"] { discard; }`, "discard"},
		{"exists one missing", "SV-09", `if exists ["From","X-Missing"] { discard; }`, "keep"},
		// RFC 5228 §5.7
		{"header absent never matches empty", "SV-09", `if header :is "X-Missing" "" { discard; }`, "keep"},
		{"header present contains empty", "SV-09", `if header :contains "Subject" "" { discard; }`, "discard"},
		{"header name case", "SV-08", `if header :is "SUBJECT" "i have a present for you" { discard; }`, "discard"},
		{"header octet", "SV-06", `if header :comparator "i;octet" :is "subject" "i have a present for you" { discard; }`, "keep"},
		{"header decoded", "SV-08", `if header :is "x-encoded" "Café au lait" { discard; }`, "discard"},
		{"header unfolded", "SV-08", `if header :is "x-folded" "first	second" { discard; }`, "discard"},
		{"header invalid name", "SV-08", `if header :contains "bad name" "" { discard; }`, "keep"},
		// RFC 5228 §2.7.1
		{"matches star", "SV-05", `if header :matches "subject" "*present*" { discard; }`, "discard"},
		{"matches question", "SV-05", `if header :matches "x-caffeine" "2?0" { discard; }`, "discard"},
		{"matches whole", "SV-05", `if header :matches "x-caffeine" "2?" { discard; }`, "keep"},
		{"matches escaped star", "SV-05", `if header :matches "subject" "I have\\*" { discard; }`, "keep"},
		{"contains", "SV-05", `if header :contains "subject" "PRESENT" { discard; }`, "discard"},
		// RFC 4790 §9.1.1
		{"numeric", "SV-06, SV-07", `require "comparator-i;ascii-numeric";
			if header :comparator "i;ascii-numeric" :is "x-caffeine" "0200" { discard; }`, "discard"},
		{"numeric non-digit", "SV-07", `require "comparator-i;ascii-numeric";
			if header :comparator "i;ascii-numeric" "subject" "abc" { discard; }`, "discard"},
		// RFC 5228 §5.4
		{"envelope from", "SV-11", `require "envelope"; if envelope :all :is "from" "coyote@desert.example.org" { discard; }`, "discard"},
		{"envelope to domain", "SV-11", `require "envelope"; if envelope :domain "to" "ACME.example.com" { discard; }`, "discard"},
		// RFC 5228 §9
		{"section 9", "SV-04", `require ["fileinto"];
			if header :is "Sender" "owner-ietf-mta-filters@imc.org" { fileinto "filter"; }
			elsif address :DOMAIN :is ["From", "To"] "example.com" { keep; }
			elsif anyof (NOT address :all :contains ["To", "Cc", "Bcc"] "me@example.com",
			             header :matches "subject" ["*make*money*fast*", "*university*dipl*mas*"]) { fileinto "spam"; }
			else { fileinto "personal"; }`, `fileinto "filter"`},
		// Implicit keep and duplicates.
		{"copy keeps implicit keep", "SV-14, SV-54", `require ["fileinto", "copy"]; fileinto :copy "a"; redirect :copy "x@example.org";`,
			"fileinto :copy \"a\"\nredirect :copy \"x@example.org\"\nkeep"},
		{"keep and fileinto INBOX once", "SV-15", `require "fileinto"; keep; fileinto "INBOX"; fileinto "inbox";`, "keep"},
		{"fileinto twice once", "SV-15", `require "fileinto"; fileinto "a"; fileinto "b"; fileinto "a";`, "fileinto \"a\"\nfileinto \"b\""},
		{"redirect twice once", "SV-15", `redirect "a@example.org"; redirect "a@EXAMPLE.org";`, `redirect "a@example.org"`},
		// RFC 5321 §2.4: only the receiving host may fold a local part's case.
		{"redirect local parts differing in case", "SV-15", `redirect "a@example.org"; redirect "A@example.org";`,
			"redirect \"a@example.org\"\nredirect \"A@example.org\""},
		{"copy into INBOX with implicit keep", "SV-15", `require ["fileinto", "copy"]; fileinto :copy "INBOX";`, `fileinto :copy "INBOX"`},
		{"redirect limit", "SV-18", `redirect "a@x.example"; redirect "b@x.example"; redirect "c@x.example"; redirect "d@x.example"; redirect "e@x.example";`,
			"error: 1:97: redirect to e@x.example: more than 4 redirects"},
		{"redirect to self", "SV-18", `redirect "RoadRunner@acme.example.com";`,
			"error: 1:1: redirect to RoadRunner@acme.example.com: the recipient itself, a mail loop"},
		{"error drops actions", "SV-22, SV-23", `require "fileinto"; fileinto "a"; redirect "a@x.example"; redirect "b@x.example"; redirect "c@x.example"; redirect "d@x.example"; redirect "e@x.example";`,
			"error: 1:131: redirect to e@x.example: more than 4 redirects"},
		// RFC 5429
		{"reject", "SV-29", `require "reject"; reject "no thanks";`, `reject "no thanks"`},
		{"ereject", "SV-29", `require "ereject"; ereject text:
not today
.
;`, `ereject "not today\r\n"`},
		{"two rejects", "SV-33", `require ["reject", "ereject"]; reject "a"; ereject "b";`, "error: more than one reject or ereject"},
		{"reject and keep", "SV-33", `require "reject"; keep; reject "a";`, "error: reject cannot be combined with keep"},
		// RFC 5232
		{"imap4flags implicit keep", "SV-51, SV-52", `require "imap4flags"; setflag "\\Seen $Label"; addflag ["\\Recent", "bad(flag", "x"]; removeflag "x";`,
			`keep flags "\\Seen" "$Label"`},
		{"imap4flags :flags", "SV-52", `require ["imap4flags", "fileinto"]; addflag "a"; fileinto :flags "b" "Box"; keep;`,
			"fileinto \"Box\" flags \"b\"\nkeep flags \"a\""},
		{"hasflag", "SV-51", `require "imap4flags"; addflag "Junk"; if hasflag :is "junk" { discard; }`, "discard"},
		// RFC 5232 §3: a flag set is a set; it is written canonically, system
		// flags spelled as IMAP does and first, keywords in the order first set.
		{"flags canonical", "SV-51, SV-52", `require "imap4flags"; addflag "$b \\seen"; addflag "a \\DRAFT \\flagged $B";`,
			`keep flags "\\Flagged" "\\Seen" "\\Draft" "$b" "a"`},
		{"last flags win", "SV-15", `require ["imap4flags"]; keep :flags "a"; keep :flags "b";`, `keep flags "b"`},
		// RFC 5228 §2.4.2.4
		{"encoded-character", "SV-21", `require ["encoded-character"]; if header :is "x-caffeine" "${hex: 32 30}${unicode:0030}" { discard; }`, "discard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "error" {
				if _, err := Compile([]byte(tt.src), Options{}); err == nil {
					t.Errorf("%s: compiled", tt.spec)
				}
				return
			}
			if got := runScript(t, tt.src, coyote, coyoteEnv); got != tt.want {
				t.Errorf("spec %s\n%s\ngot:\n%s\nwant:\n%s", tt.spec, tt.src, got, tt.want)
			}
		})
	}
}

// spec: SV-11
func TestEnvelopeNullSender(t *testing.T) {
	for _, part := range []string{":all", ":localpart", ":domain"} {
		src := `require "envelope"; if envelope ` + part + ` :is "from" "" { discard; }`
		if got := runScript(t, src, coyote, Envelope{From: "", To: "x@y.example"}); got != "discard" {
			t.Errorf("%s: %s", part, got)
		}
	}
	src := `require "envelope"; if envelope :is "to" "x@y.example" { discard; }`
	if got := runScript(t, src, coyote, Envelope{To: "<@relay.example:x@y.example>"}); got != "discard" {
		t.Errorf("source route: %s", got)
	}
}

// spec: SV-23
func TestRunWithoutMessage(t *testing.T) {
	s, err := Compile([]byte(`if size :over 1 { discard; }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background(), &Input{}); err == nil {
		t.Errorf("run without a message succeeded")
	}
}

// spec: SV-27
func TestRunContext(t *testing.T) {
	s, err := Compile([]byte(`keep;`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Run(ctx, &Input{Message: newTestMessage(coyote)})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("run with cancelled context: %v", err)
	}
}

// spec: SV-27 — a deadline ends even one pathological :matches.
func TestRunDeadlineInsideMatch(t *testing.T) {
	pattern := "*" + strings.Repeat("a", 2000) + "b"
	s, err := Compile([]byte(`if header :matches "x-long" "`+pattern+`" { discard; }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg := newTestMessage("X-Long: " + strings.Repeat("a", 1<<20) + "\r\n\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Run(ctx, &Input{Message: msg})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("run returned %v after %v", err, time.Since(start))
	}
}

// spec: SV-20
func TestDeepNesting(t *testing.T) {
	// 15 nested test lists inside 15 nested blocks.
	test := strings.Repeat("anyof(false, ", 15) + "true" + strings.Repeat(")", 15)
	src := strings.Repeat("if true {", 14) + "if " + test + " { discard; }" + strings.Repeat("}", 14)
	if got := runScript(t, src, coyote, coyoteEnv); got != "discard" {
		t.Errorf("got %s", got)
	}
}

// A compiled script is shared by concurrent deliveries (run with -race).
func TestRunConcurrent(t *testing.T) {
	s, err := Compile([]byte(`require ["imap4flags", "fileinto"];
		if header :contains "x-encoded" "Café" { addflag "\\Seen"; }
		if address :domain "cc" "example.net" { fileinto "Friends"; }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg := newTestMessage(coyote)
	done := make(chan string)
	for range 8 {
		go func() {
			res, err := s.Run(context.Background(), &Input{Message: msg, Envelope: coyoteEnv})
			if err != nil {
				done <- err.Error()
				return
			}
			var lines []string
			for _, a := range res.Actions {
				lines = append(lines, a.String())
			}
			done <- strings.Join(lines, "\n")
		}()
	}
	for range 8 {
		if got := <-done; got != `fileinto "Friends" flags "\\Seen"` {
			t.Errorf("got %s", got)
		}
	}
}

type panickyMessage struct{ Message }

func (panickyMessage) Header(string) []string { panic("broken store") }

// spec: SV-23 — a panic below Run becomes a run error, so the caller keeps.
func TestRunRecovers(t *testing.T) {
	s, err := Compile([]byte(`if header :is "subject" "x" { discard; }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background(), &Input{Message: panickyMessage{newTestMessage(coyote)}})
	if res != nil || err == nil || !strings.Contains(err.Error(), "internal error: broken store") {
		t.Errorf("got %v, %v", res, err)
	}
}
