package sieve

import (
	"fmt"
	"testing"
)

// Messages A and B of RFC 5228 §2.4.2.4 and §3.1.
const (
	rfcMessageA = `Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)
From: coyote@desert.example.org
To: roadrunner@acme.example.com
Subject: I have a present for you
X-Caffeine: C8H10N4O2

Look, I'm sorry about the whole anvil thing, and I really
didn't mean to try and drop it on you from the top of the
cliff.  I want to try to make it up to you.  I've got some
great birdseed over here at my place--top of the line
stuff--and if you come by, I'll have it all wrapped up
for you.  I'm really sorry for all the problems I've caused
for you over the years, but I know we can work this out.
--
Wile E. Coyote   "Super Genius"   coyote@desert.example.org
`
	rfcMessageB = `From: youcouldberich!@reply-by-postal-mail.invalid
Sender: b1ff@de.res.example.com
To: rube@landru.example.com
Date:  Mon, 31 Mar 1997 18:26:10 -0800
Subject: $$$ YOU, TOO, CAN BE A LUMBERJACK! $$$

YOU MAY ALREADY HAVE WON TEN MILLION DOLLARS, BUT I DOUBT
IT!  SO JUST POST THIS TO SIX HUNDRED NEWSGROUPS!  IT WILL
GUARANTEE THAT YOU GET AT LEAST FIVE RESPONSES WITH MONEY!
MONEY! MONEY! COLD HARD CASH!  YOU WILL RECEIVE OVER
$20,000 IN LESS THAN TWO MONTHS!  AND IT'S LEGAL!!!!!!!!!
!!!!!!!!!!!!!!!!!!111111111!!!!!!!11111111111!!1  JUST
SEND $5 IN SMALL, UNMARKED BILLS TO THE ADDRESSES BELOW!
`
)

// TestRFC5228Examples runs the examples of RFC 5228 over its messages A
// and B; want is the result for A and for B.
func TestRFC5228Examples(t *testing.T) {
	sizeA := newTestMessage(rfcMessageA).Size()
	tests := []struct {
		section, spec string
		src           string
		wantA, wantB  string
	}{
		{"2.3", "SV-01", "if size :over 100K { /* this is a comment\n   this is still a comment */ discard /* this is a comment\n   */ ;\n}",
			"keep", "keep"},
		{"2.4.2.4", "SV-21", `require "encoded-character";
			if header :contains "Subject" "$${hex:24 24}" { discard; }`, "keep", "discard"},
		{"2.5.1", "SV-04", `if anyof (not exists ["From", "Date"], header :contains "from" "fool@example.com") { discard; }`,
			"keep", "keep"},
		{"2.7.3", "SV-06", `if header :contains :comparator "i;octet" "Subject" "MAKE MONEY FAST" { discard; }`,
			"keep", "keep"},
		{"2.10.2", "SV-14", `if size :over 500K { discard; }`, "keep", "keep"},
		{"3.1", "SV-03", `require "fileinto";
			if header :contains "from" "coyote" { discard; }
			elsif header :contains ["subject"] ["$$$"] { discard; }
			else { fileinto "INBOX"; }`, "discard", "discard"},
		{"3.1", "SV-03", `if header :contains ["From"] ["coyote"] { redirect "acm@example.com"; }
			elsif header :contains "Subject" "$$$" { redirect "postmaster@example.com"; }
			else { redirect "field@example.com"; }`, `redirect "acm@example.com"`, `redirect "postmaster@example.com"`},
		{"3.2", "SV-02", `require ["fileinto", "reject"];`, "keep", "keep"},
		{"3.2", "SV-02", "require \"fileinto\";\nrequire \"envelope\";", "keep", "keep"},
		{"4.1", "SV-04", `require "fileinto"; if header :contains ["from"] "coyote" { fileinto "INBOX.harassment"; }`,
			`fileinto "INBOX.harassment"`, "keep"},
		{"4.2", "SV-04", `redirect "bart@example.com";`, `redirect "bart@example.com"`, `redirect "bart@example.com"`},
		{"4.3", "SV-04", `if size :under 1M { keep; } else { discard; }`, "keep", "keep"},
		{"4.3", "SV-04", `if not size :under 1M { discard; }`, "keep", "keep"},
		{"4.4", "SV-19", `if header :contains ["from"] ["idiot@example.com"] { discard; }`, "keep", "keep"},
		{"4.4", "SV-19", `require "fileinto"; fileinto "x"; discard;`, "fileinto \"x\"\ndiscard", "fileinto \"x\"\ndiscard"},
		{"5.1", "SV-10", `if address :is :all "from" "tim@example.com" { discard; }`, "keep", "keep"},
		{"5.1", "SV-10", `if address :is :all "from" "youcouldberich!@reply-by-postal-mail.invalid" { discard; }`, "keep", "discard"},
		{"5.2", "SV-13", `if allof (false, false) { discard; }`, "keep", "keep"},
		{"5.2", "SV-13", `if allof (false, true) { discard; }`, "keep", "keep"},
		{"5.2", "SV-13", `if allof (true, true) { discard; }`, "discard", "discard"},
		{"5.3", "SV-13", `if anyof (false, false) { discard; }`, "keep", "keep"},
		{"5.3", "SV-13", `if anyof (false, true) { discard; }`, "discard", "discard"},
		{"5.3", "SV-13", `if anyof (true, true) { discard; }`, "discard", "discard"},
		{"5.4", "SV-11", `require "envelope"; if envelope :all :is "from" "tim@example.com" { discard; }`, "keep", "keep"},
		{"5.5", "SV-09", `if not exists ["From","Date"] { discard; }`, "keep", "keep"},
		{"5.6", "SV-04", `if false { discard; }`, "keep", "keep"},
		{"5.7", "SV-09", `if header :is ["X-Caffeine"] [""] { discard; }`, "keep", "keep"},
		{"5.7", "SV-09", `if header :contains ["X-Caffeine"] [""] { discard; }`, "discard", "keep"},
		{"5.7", "SV-09", `if not header :matches "Cc" "?*" { discard; }`, "discard", "discard"},
		{"5.8", "SV-04", `if not false { discard; }`, "discard", "discard"},
		{"5.9", "SV-12", fmt.Sprintf(`if size :over %d { discard; }`, sizeA), "keep", "keep"},
		{"5.9", "SV-12", fmt.Sprintf(`if size :under %d { discard; }`, sizeA), "keep", "discard"},
		{"5.10", "SV-04", `if true { discard; }`, "discard", "discard"},
		{"9", "SV-04", `require ["fileinto"];
			if header :is "Sender" "owner-ietf-mta-filters@imc.org" { fileinto "filter"; }
			elsif address :DOMAIN :is ["From", "To"] "example.com" { keep; }
			elsif anyof (NOT address :all :contains ["To", "Cc", "Bcc"] "me@example.com",
			             header :matches "subject" ["*make*money*fast*", "*university*dipl*mas*"]) { fileinto "spam"; }
			else { fileinto "personal"; }`, `fileinto "spam"`, `fileinto "spam"`},
	}
	for _, tt := range tests {
		env := Envelope{From: "sender@example.net", To: "me@example.com"}
		for i, m := range []string{rfcMessageA, rfcMessageB} {
			want := []string{tt.wantA, tt.wantB}[i]
			if got := runScript(t, tt.src, m, env); got != want {
				t.Errorf("RFC 5228 §%s (%s) message %c:\n%s\ngot:  %s\nwant: %s", tt.section, tt.spec, 'A'+i, tt.src, got, want)
			}
		}
	}
}
