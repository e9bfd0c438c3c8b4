package mimeinfo

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRFC3501Example builds a message whose BODY is the example in RFC 3501
// §7.4.2 and compares the rendering with the RFC's text.
func TestRFC3501Example(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: MULTIPART/MIXED; BOUNDARY=\"x\"\r\n\r\n--x\r\n")
	b.WriteString("Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n")
	for i := 0; i < 22; i++ {
		b.WriteString(strings.Repeat("a", 48) + "\r\n")
	}
	b.WriteString(strings.Repeat("b", 50) + "\r\n") // 22*50 + 52 = 1152 bytes, 23 lines
	b.WriteString("\r\n--x\r\n")
	b.WriteString("Content-Type: TEXT/PLAIN; CHARSET=US-ASCII; NAME=cc.diff\r\n")
	b.WriteString("Content-ID: <960723163407.20117h@cac.washington.edu>\r\n")
	b.WriteString("Content-Description: Compiler diff\r\n")
	b.WriteString("Content-Transfer-Encoding: BASE64\r\n\r\n")
	for i := 0; i < 72; i++ {
		b.WriteString(strings.Repeat("Q", 60) + "\r\n")
	}
	b.WriteString(strings.Repeat("Q", 88) + "\r\n") // 72*62 + 90 = 4554 bytes, 73 lines
	b.WriteString("\r\n--x--\r\n")
	raw := []byte(b.String())
	in := Parse(raw)
	checkInfo(t, raw, in)
	const rfc = `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED"`
	if got := bodystructure(in.Body, false); !strings.EqualFold(got, rfc) {
		t.Errorf("BODY\n got %s\nwant %s", got, rfc)
	}
}

type structureTest struct {
	name     string
	msg      string
	body     string            // BODYSTRUCTURE, without the outer parentheses
	sections map[string]string // BODY[key] = value
}

const mixedAlternative = `From: Sender <sender@example.com>
To: rcpt@example.org
Subject: nested
Content-Type: multipart/mixed; boundary=outer

preamble
--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain

plain text
--inner
Content-Type: text/html

<p>html</p>
--inner--

--outer
Content-Type: application/pdf; name=a.pdf
Content-Disposition: attachment; filename=a.pdf
Content-Transfer-Encoding: base64

AAAA
--outer--
epilogue
`

var structureTests = []structureTest{
	{
		name: "plain",
		msg:  crlf("From: a@b\nSubject: x\n\nhello\nworld\n"),
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 2 NIL NIL NIL NIL`,
		sections: map[string]string{
			"HEADER": "From: a@b\r\nSubject: x\r\n\r\n",
			"TEXT":   "hello\r\nworld\r\n",
			"1":      "hello\r\nworld\r\n",
		},
	},
	{
		name: "nested mixed > alternative",
		msg:  crlf(mixedAlternative),
		body: `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL)` +
			`("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 4 NIL ("attachment" ("filename" "a.pdf")) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL`,
		sections: map[string]string{
			"1":        crlf("--inner\nContent-Type: text/plain\n\nplain text\n--inner\nContent-Type: text/html\n\n<p>html</p>\n--inner--\n"),
			"1.MIME":   crlf("Content-Type: multipart/alternative; boundary=inner\n\n"),
			"1.1":      "plain text",
			"1.1.MIME": "Content-Type: text/plain\r\n\r\n",
			"1.2":      "<p>html</p>",
			"2":        "AAAA",
			"2.MIME":   crlf("Content-Type: application/pdf; name=a.pdf\nContent-Disposition: attachment; filename=a.pdf\nContent-Transfer-Encoding: base64\n\n"),
			"TEXT":     crlf(mixedAlternative[strings.Index(mixedAlternative, "\n\n")+2:]),
		},
	},
	{
		name: "nested, bare LF",
		msg:  mixedAlternative,
		body: `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL)` +
			`("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 4 NIL ("attachment" ("filename" "a.pdf")) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL`,
		sections: map[string]string{
			"1.1":    "plain text",
			"1.2":    "<p>html</p>",
			"1":      "--inner\nContent-Type: text/plain\n\nplain text\n--inner\nContent-Type: text/html\n\n<p>html</p>\n--inner--\n",
			"2.MIME": "Content-Type: application/pdf; name=a.pdf\nContent-Disposition: attachment; filename=a.pdf\nContent-Transfer-Encoding: base64\n\n",
		},
	},
	{
		name: "message/rfc822 with a multipart inside",
		msg: crlf(`From: outer@example.com
Subject: fwd
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

see attached
--b1
Content-Type: message/rfc822
Content-Description: forwarded

From: Inner <inner@example.org>
Subject: inner subject
Date: Sun, 12 Aug 2012 12:34:56 +0300
Content-Type: multipart/alternative; boundary="b2"

--b2
Content-Type: text/plain

inner text
--b2
Content-Type: text/html

<b>inner</b>
--b2--
--b1--
`),
		body: `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 12 0 NIL NIL NIL NIL)` +
			`("message" "rfc822" NIL NIL "forwarded" "7bit" 249 ("Sun, 12 Aug 2012 12:34:56 +0300" "inner subject" (("Inner" NIL "inner" "example.org")) (("Inner" NIL "inner" "example.org")) (("Inner" NIL "inner" "example.org")) NIL NIL NIL NIL NIL) ` +
			`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 12 0 NIL NIL NIL NIL) "alternative" ("boundary" "b2") NIL NIL NIL) 13 NIL NIL NIL NIL)` +
			` "mixed" ("boundary" "b1") NIL NIL NIL`,
		sections: map[string]string{
			"1":        "see attached",
			"2.MIME":   "Content-Type: message/rfc822\r\nContent-Description: forwarded\r\n\r\n",
			"2.HEADER": crlf("From: Inner <inner@example.org>\nSubject: inner subject\nDate: Sun, 12 Aug 2012 12:34:56 +0300\nContent-Type: multipart/alternative; boundary=\"b2\"\n\n"),
			"2.TEXT":   crlf("--b2\nContent-Type: text/plain\n\ninner text\n--b2\nContent-Type: text/html\n\n<b>inner</b>\n--b2--"),
			"2.1":      "inner text",
			"2.1.MIME": "Content-Type: text/plain\r\n\r\n",
			"2.2":      "<b>inner</b>",
		},
	},
	{
		name: "message/rfc822 at the top",
		msg:  crlf("Content-Type: message/rfc822\n\nSubject: in\n\nbody"),
		body: `"message" "rfc822" NIL NIL NIL "7bit" 19 (NIL "in" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL`,
		sections: map[string]string{
			"1":        "Subject: in\r\n\r\nbody",
			"1.HEADER": "Subject: in\r\n\r\n",
			"1.TEXT":   "body",
			"1.1":      "body",
		},
	},
	{
		name: "no blank line: all header",
		msg:  crlf("From: a@b\nSubject: x\n"),
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL`,
		sections: map[string]string{
			"HEADER": "From: a@b\r\nSubject: x\r\n",
			"TEXT":   "",
		},
	},
	{
		name:     "no line break at all",
		msg:      "Subject: x",
		body:     `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL`,
		sections: map[string]string{"HEADER": "Subject: x"},
	},
	{
		name:     "starts with the blank line",
		msg:      "\r\nbody\r\n",
		body:     `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL`,
		sections: map[string]string{"HEADER": "\r\n", "TEXT": "body\r\n"},
	},
	{
		name: "multipart without boundary is text/plain",
		msg:  crlf("Content-Type: multipart/mixed\n\n--x\nContent-Type: text/html\n\nhi\n--x--\n"),
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 43 5 NIL NIL NIL NIL`,
	},
	{
		name: "multipart with an empty boundary is text/plain",
		msg:  crlf("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nhi\n"),
		body: `"text" "plain" ("boundary" "" "charset" "us-ascii") NIL NIL "7bit" 10 3 NIL NIL NIL NIL`,
	},
	{
		name:     "boundary never found: one empty part",
		msg:      crlf("Content-Type: multipart/mixed; boundary=zz\n\nhello\n--zy\n"),
		body:     `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "zz") NIL NIL NIL`,
		sections: map[string]string{"1": "", "TEXT": "hello\r\n--zy\r\n"},
	},
	{
		name: "no close delimiter: last part runs to the end",
		msg:  crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\npart one\n--b\n\npart two\n"),
		body: `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 8 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL`,
		sections: map[string]string{
			"1": "part one", "1.MIME": "\r\n",
			"2": "part two\r\n", "2.MIME": "\r\n",
		},
	},
	{
		name: "inner multipart left open is closed by the outer delimiter",
		msg: crlf(`Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: multipart/related; boundary=b2

--b2

inner
--b1

outer two
--b1--
`),
		body:     `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL) "related" ("boundary" "b2") NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 9 0 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL`,
		sections: map[string]string{"1.1": "inner", "1": "--b2\r\n\r\ninner", "2": "outer two"},
	},
	{
		name: "a delimiter ends a header cut short",
		msg:  crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n--b\n\nsecond\n--b--\n"),
		body: `("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 0 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL`,
		sections: map[string]string{
			"1.MIME": "Content-Type: text/html", "1": "",
			"2.MIME": "\r\n", "2": "second",
		},
	},
	{
		name:     "blanks and junk after delimiters",
		msg:      crlf("Content-Type: multipart/mixed; boundary=b\n\n--b  \t\n\none\n--b junk\n\ntwo\n--b-- the end\nepilogue\n"),
		body:     `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL`,
		sections: map[string]string{"1": "one", "2": "two"},
	},
	{
		name: "the longest matching boundary wins",
		msg: crlf(`Content-Type: multipart/mixed; boundary=ab

--ab
Content-Type: multipart/alternative; boundary=abc

--abc

one
--abc

two
--abc--
--ab

three
--ab--
`),
		body:     `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL) "alternative" ("boundary" "abc") NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL) "mixed" ("boundary" "ab") NIL NIL NIL`,
		sections: map[string]string{"1.1": "one", "1.2": "two", "2": "three"},
	},
	{
		name:     "empty parts",
		msg:      crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b--\n"),
		body:     `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL`,
		sections: map[string]string{"1": "", "1.MIME": "", "2": "", "2.MIME": ""},
	},
	{
		name: "multipart/digest parts default to message/rfc822",
		msg:  crlf("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody one\n--d\nContent-Type: text/plain\n\nnot a message\n--d--\n"),
		body: `("message" "rfc822" NIL NIL NIL "7bit" 24 (NIL "one" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 8 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL)` +
			`("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL) "digest" ("boundary" "d") NIL NIL NIL`,
		sections: map[string]string{"1.HEADER": "Subject: one\r\n\r\n", "1.TEXT": "body one", "1.1": "body one", "2": "not a message"},
	},
	{
		name:     "message/rfc822 cut short by a delimiter",
		msg:      crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n--b--\n"),
		body:     `("message" "rfc822" NIL NIL NIL "7bit" 0 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) 0 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL`,
		sections: map[string]string{"1.MIME": "Content-Type: message/rfc822", "1.HEADER": "", "1.TEXT": ""},
	},
	{
		name: "extension fields",
		msg: crlf(`Content-Type: multipart/mixed; boundary="foo bar"

--foo bar
Content-Type: text/x-myown; charset=us-ascii; foo="quoted\"string"
Content-ID: <foo@example.com>
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
Content-Disposition: INLINE; foo=bar
Content-Description: hellodescription
Content-Language: en, fi (Finnish), se
Content-Location: http://example.com/test.txt
Content-Transfer-Encoding: 8Bit

hello
--foo bar--
`),
		body: `("text" "x-myown" ("charset" "us-ascii" "foo" "quoted\"string") "<foo@example.com>" "hellodescription" "8bit" 5 0 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("inline" ("foo" "bar")) ("en" "fi" "se") "http://example.com/test.txt") "mixed" ("boundary" "foo bar") NIL NIL NIL`,
	},
	{
		name: "invalid Content-Transfer-Encoding is 7bit, invalid Content-Type is text/plain",
		msg:  crlf("Content-Type: text\nContent-Transfer-Encoding: ?invalid\n\nx"),
		body: `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL`,
	},
	{
		name: "first Content-Type counts; folded boundary",
		msg:  crlf("Content-Type: multipart/mixed; boundary=\"foo\n bar\"\nContent-Type: text/plain\n\n--foo bar\n\nx\n--foo bar--\n"),
		body: `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "mixed" ("boundary" "foo bar") NIL NIL NIL`,
	},
	{
		name:     "the same boundary nested: the inner one owns the lines",
		msg:      crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nin\n--b--\n\nafter\n--b--\n"),
		body:     `(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL`,
		sections: map[string]string{"1.1": "in", "1": "--b\r\n\r\nin\r\n--b--\r\n\r\nafter"},
	},
}

func TestStructure(t *testing.T) {
	for _, tt := range structureTests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.msg)
			in := Parse(raw)
			checkInfo(t, raw, in)
			if got := bodystructure(in.Body, true); got != tt.body {
				t.Errorf("BODYSTRUCTURE\n got %s\nwant %s", got, tt.body)
			}
			for spec, want := range tt.sections {
				got, ok := section(raw, in, spec)
				if !ok {
					t.Errorf("BODY[%s]: no such section", spec)
				} else if got != want {
					t.Errorf("BODY[%s] = %q, want %q", spec, got, want)
				}
			}
		})
	}
}

func TestPartAt(t *testing.T) {
	raw := []byte(crlf(mixedAlternative))
	in := Parse(raw)
	for _, tt := range []struct {
		path []int
		want string // type/subtype, or "" for nil
	}{
		{nil, "multipart/mixed"},
		{[]int{1}, "multipart/alternative"},
		{[]int{1, 2}, "text/html"},
		{[]int{2}, "application/pdf"},
		{[]int{2, 1}, "application/pdf"},
		{[]int{2, 2}, ""},
		{[]int{3}, ""},
		{[]int{0}, ""},
		{[]int{1, 1, 1}, "text/plain"},
		{[]int{1, 1, 2}, ""},
	} {
		p := in.PartAt(tt.path)
		got := ""
		if p != nil {
			got = p.Type + "/" + p.Subtype
		}
		if got != tt.want {
			t.Errorf("PartAt(%v) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestEnvelope(t *testing.T) {
	for _, tt := range []struct {
		name, msg, want string
		date            string // RFC 3339, or "" for zero
	}{
		{
			name: "no header",
			msg:  "\r\nbody",
			want: `NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL`,
		},
		{
			name: "defaults, empty versus absent, first occurrence",
			msg: crlf(`Date: Tue, 1 Jul 2003 10:52:37 +0200
Subject:
From: A <a@x.example>
Sender:
To: b@y.example,
 c@z.example
Subject: second
Message-ID: <id@x.example>
In-Reply-To: <prev@x.example>

`),
			want: `"Tue, 1 Jul 2003 10:52:37 +0200" "" (("A" NIL "a" "x.example")) (("A" NIL "a" "x.example")) (("A" NIL "a" "x.example")) ((NIL NIL "b" "y.example")(NIL NIL "c" "z.example")) NIL NIL "<prev@x.example>" "<id@x.example>"`,
			date: "2003-07-01T10:52:37+02:00",
		},
		{
			name: "folding, obsolete blank before colon, case",
			msg:  crlf("SUBJECT : hello\n\tworld  \nreply-to: r@x\nfrom: f@x\nBCC: undisclosed-recipients:;\n\n"),
			want: "NIL \"hello\tworld\" " + `((NIL NIL "f" "x")) ((NIL NIL "f" "x")) ((NIL NIL "r" "x")) NIL NIL ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL`,
		},
		{
			name: "8-bit and encoded words stay raw",
			msg:  "Subject: =?utf-8?q?caf=C3=A9?= \xc3\xa9t\xc3\xa9\r\nFrom: J\xc3\xb6rg <j@x>\r\n\r\n",
			want: "NIL \"=?utf-8?q?caf=C3=A9?= \xc3\xa9t\xc3\xa9\" ((\"J\xc3\xb6rg\" NIL \"j\" \"x\")) ((\"J\xc3\xb6rg\" NIL \"j\" \"x\")) ((\"J\xc3\xb6rg\" NIL \"j\" \"x\")) NIL NIL NIL NIL NIL",
		},
		{
			name: "unparseable date",
			msg:  "Date: yesterday\r\n\r\n",
			want: `"yesterday" NIL NIL NIL NIL NIL NIL NIL NIL NIL`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.msg)
			in := Parse(raw)
			checkInfo(t, raw, in)
			if got := envelope(in.Envelope); got != tt.want {
				t.Errorf("ENVELOPE\n got %s\nwant %s", got, tt.want)
			}
			got := ""
			if !in.Date.IsZero() {
				got = in.Date.Format(time.RFC3339)
			}
			if got != tt.date {
				t.Errorf("Date = %q, want %q", got, tt.date)
			}
		})
	}
}

func TestHeaderOddities(t *testing.T) {
	msg := "" +
		" continuation with nothing before\r\n" +
		"no colon on this line\r\n" +
		"Bad Name: with a blank\r\n" +
		": empty name\r\n" +
		"Subject: kept\r\n" +
		"X-Bin: \x00\xff\x01\r\n" +
		"Content-Type: text/html\rX-After-CR: 1\r\n" + // a lone CR is not a line break
		"\r\n" +
		"body"
	raw := []byte(msg)
	in := Parse(raw)
	checkInfo(t, raw, in)
	if in.Envelope.Subject != "kept" || in.Body.Subtype != "html" {
		t.Errorf("got subject %q, type %s/%s", in.Envelope.Subject, in.Body.Type, in.Body.Subtype)
	}
	if in.HeaderLen != len(msg)-4 {
		t.Errorf("HeaderLen %d, want %d", in.HeaderLen, len(msg)-4)
	}
}

func TestHugeHeaderLine(t *testing.T) {
	long := strings.Repeat("a", 1<<20)
	for _, msg := range []string{
		"Subject: " + long + "\r\n\r\nbody",
		"X-Long: " + long, // no line break, no body
		long + "\r\n\r\nbody",
		"Subject: x\r\n" + strings.Repeat(" folded\r\n", 1<<17) + "\r\nbody",
		"To: " + strings.Repeat("a@b, ", 1<<18) + "\r\n\r\n",
	} {
		raw := []byte(msg)
		start := time.Now()
		in := Parse(raw)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Parse took %v", d)
		}
		checkInfo(t, raw, in)
	}
	in := Parse([]byte("To: " + strings.Repeat("a@b, ", 1<<15) + "\r\n\r\n"))
	if len(in.Envelope.To) != maxAddresses {
		t.Errorf("%d addresses, want the cap %d", len(in.Envelope.To), maxAddresses)
	}
}

// deepMultipart nests n multiparts, each with one text part after the
// nested one.
func deepMultipart(n int) string {
	var b strings.Builder
	b.WriteString("Subject: deep\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ncore\r\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d\r\n\r\nlevel %d\r\n--b%d--\r\n", i, i, i)
	}
	return b.String()
}

func TestDeepNesting(t *testing.T) {
	raw := []byte(deepMultipart(200))
	in := Parse(raw)
	checkInfo(t, raw, in)
	depth := 0
	p := in.Body
	for p.IsMultipart() {
		p = p.Children[0]
		depth++
	}
	if depth != MaxDepth || p.Type != "application" || p.Subtype != "octet-stream" {
		t.Errorf("deepest part %s/%s at depth %d, want application/octet-stream at %d", p.Type, p.Subtype, depth, MaxDepth)
	}

	var b strings.Builder
	for i := 0; i < 300; i++ {
		b.WriteString("Subject: level\r\nContent-Type: message/rfc822\r\n\r\n")
	}
	b.WriteString("Subject: core\r\n\r\ncore\r\n")
	raw = []byte(b.String())
	in = Parse(raw)
	checkInfo(t, raw, in)
}

func TestManyParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 0; i < MaxParts+50; i++ {
		fmt.Fprintf(&b, "--b\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--b--\r\n")
	raw := []byte(b.String())
	in := Parse(raw)
	checkInfo(t, raw, in)
	if n := len(in.Body.Children); n != MaxParts-1 {
		t.Errorf("%d children, want %d", n, MaxParts-1)
	}
}

// TestOverlappingLineCounts takes the path of countLines that counts line
// breaks once for nested message bodies.
func TestOverlappingLineCounts(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 5; i++ {
		b.WriteString("Content-Type: message/rfc822\r\n\r\n")
	}
	b.WriteString("\r\n" + strings.Repeat("line\r\n", 100))
	raw := []byte(b.String())
	in := Parse(raw)
	checkInfo(t, raw, in)
	if in.Body.Lines != 109 {
		t.Errorf("top-level Lines %d, want 109", in.Body.Lines)
	}
}
