package mimeinfo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpus holds what each message in testdata/ must be described as: its
// BODY (the non-extensible BODYSTRUCTURE) and, where it matters, more. Every
// file in testdata/*.eml must have an entry, so a new sample cannot be added
// without saying what it should give.
var corpus = map[string]struct {
	body     string
	env      string            // ENVELOPE, if set
	sections map[string]string // BODY[key] = value
	check    func(t *testing.T, raw []byte, in *Info)
}{
	"addresses.eml": {
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1`,
		env: `NIL NIL (("Last, First" NIL "first.last" "example.com")(NIL NIL "broken" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")("Name Only" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) ` +
			`((NIL NIL "sender" "MISSING_DOMAIN")) ` +
			`(("Last, First" NIL "first.last" "example.com")(NIL NIL "broken" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")("Name Only" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) ` +
			`((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ` +
			`((NIL NIL "Group" NIL)(NIL NIL "a" "b")("C D" NIL "c" "d")(NIL NIL NIL NIL)(NIL NIL "x" "y")) ` +
			`(("=?utf-8?q?J=C3=B6rg?=" NIL "j" "x")("Jörg" NIL "j2" "x")) NIL NIL`,
	},
	"bad-boundary.eml": {
		body:     `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "alternative"`,
		sections: map[string]string{"1": "", "TEXT": "--wrong\r\nContent-Type: text/plain\r\n\r\nhello\r\n--wrong--\r\n"},
	},
	"bare-lf.eml": {
		body: `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 17 1)("message" "rfc822" NIL NIL NIL "7bit" 26 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0) 2) "mixed"`,
		sections: map[string]string{
			"1": "line one\nline two", "2.HEADER": "Subject: inner\n\n", "2.TEXT": "inner body",
		},
	},
	"binary-junk.eml": {
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0`,
	},
	"binary-junk-after-header.eml": {
		body: `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4096 14)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 100 0) "mixed"`,
		check: func(t *testing.T, raw []byte, in *Info) {
			junk, _ := os.ReadFile("testdata/binary-junk.eml")
			if got, _ := section(raw, in, "1"); got != string(junk) {
				t.Errorf("part 1 is not the junk")
			}
		},
	},
	"boundary-in-header.eml": {
		body: `("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 0 0)("message" "rfc822" NIL NIL NIL "7bit" 0 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) 0) "mixed"`,
		sections: map[string]string{
			"1.MIME": "Content-Type: text/html\r\nContent-Disposition: inline",
			"2.MIME": "Content-Type: message/rfc822",
		},
	},
	"cr-only.eml": {
		// No LF anywhere: one long header line.
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0`,
		env:  "NIL \"old Mac\rContent-Type: text/plain\r\rbody\" NIL NIL NIL NIL NIL NIL NIL NIL",
	},
	"deep-nesting-200.eml": {
		check: func(t *testing.T, raw []byte, in *Info) {
			p, depth := in.Body, 0
			for p.IsMultipart() {
				p, depth = p.Children[0], depth+1
			}
			body := string(raw[p.BodyStart:p.End])
			if depth != MaxDepth || p.Type != "application" || !strings.HasPrefix(body, "--b100\r\n") || !strings.HasSuffix(body, "--b100--") {
				t.Errorf("depth %d: %s/%s %q…", depth, p.Type, p.Subtype, body[:min(len(body), 40)])
			}
		},
	},
	"deep-rfc822-150.eml": {
		check: func(t *testing.T, raw []byte, in *Info) {
			p, depth := in.Body, 0
			for p.IsMessage() {
				p, depth = p.MessageBody, depth+1
			}
			if depth != MaxDepth || p.Type != "application" {
				t.Errorf("deepest %s/%s at depth %d", p.Type, p.Subtype, depth)
			}
			if !bytes.HasSuffix(raw[p.BodyStart:p.End], []byte("Subject: core\r\n\r\ncore\r\n")) {
				t.Errorf("the deepest part does not hold the rest")
			}
		},
	},
	"digest.eml": {
		body: `("message" "rfc822" NIL NIL NIL "7bit" 47 (NIL "first" ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 0) 3)` +
			`("message" "rfc822" NIL NIL NIL "7bit" 48 (NIL "second" ((NIL NIL "two" "example.com")) ((NIL NIL "two" "example.com")) ((NIL NIL "two" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 0) 3) "digest"`,
		sections: map[string]string{"2.1": "body 2", "1.HEADER": "From: one@example.com\r\nSubject: first\r\n\r\n"},
	},
	"empty.eml": {
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0`,
		env:  `NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL`,
	},
	"header-garbage.eml": {
		body:     `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1`,
		env:      "NIL \"survives\tfolded\" NIL NIL NIL NIL NIL NIL NIL NIL",
		sections: map[string]string{"TEXT": "body\r\n"},
	},
	"missing-boundary.eml": {
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 51 5`,
	},
	"mixed-line-endings.eml": {
		// "--m--" after a lone CR does not start a line.
		body:     `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 18 1)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 1) "mixed"`,
		sections: map[string]string{"1": "CRLF line\r\nLF line", "1.MIME": "Content-Type: text/plain\r\n\n", "2": "second\r--m--\r\n"},
	},
	"no-blank-line.eml": {
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0`,
		env:  `NIL "all header, no body" ((NIL NIL "someone" "example.com")) ((NIL NIL "someone" "example.com")) ((NIL NIL "someone" "example.com")) ((NIL NIL "you" "example.org")) NIL NIL NIL NIL`,
	},
	"nuls.eml": {
		body:     `("text" "pl" ("charset" "us-ascii") NIL NIL "7bit" 3 0) "mixed"`,
		sections: map[string]string{"1": "\x00\x00\x00"},
	},
	"only-crlf.eml": {
		body:     `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0`,
		sections: map[string]string{"HEADER": "\r\n", "TEXT": ""},
	},
	"rfc2231.eml": {
		body: `("application" "octet-stream" ("name*" "utf-8''%E2%82%AC%20rates%20and%20more.txt") NIL NIL "7bit" 1) "mixed"`,
		check: func(t *testing.T, raw []byte, in *Info) {
			p := in.Body.Children[0]
			if p.Disposition != "attachment" || len(p.DispositionParams) != 1 || p.DispositionParams[0] != (Param{"filename", "very long file name.txt"}) {
				t.Errorf("disposition %q %q", p.Disposition, p.DispositionParams)
			}
		},
	},
	"same-boundary-nested.eml": {
		body:     `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0) "mixed")("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0) "mixed"`,
		sections: map[string]string{"1.1": "inner", "2": "outer"},
	},
	"unterminated-multipart.eml": {
		body:     `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 15 0) "alternative") "mixed"`,
		sections: map[string]string{"1.2": "<p>cut off here"},
	},
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			want, ok := corpus[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			in := Parse(raw)
			checkInfo(t, raw, in)
			if want.body != "" {
				if got := bodystructure(in.Body, false); got != want.body {
					t.Errorf("BODY\n got %s\nwant %s", got, want.body)
				}
			}
			if want.env != "" {
				if got := envelope(in.Envelope); got != want.env {
					t.Errorf("ENVELOPE\n got %s\nwant %s", got, want.env)
				}
			}
			for spec, w := range want.sections {
				if got, ok := section(raw, in, spec); !ok || got != w {
					t.Errorf("BODY[%s] = %q (%v), want %q", spec, got, ok, w)
				}
			}
			if want.check != nil {
				want.check(t, raw, in)
			}
		})
	}
}
