package sieve

import (
	"context"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// The reply's header and body follow RFC 5230 §4.3–§5 for each way a
// script can shape it.
//
// spec: SV-40
func TestBuildVacationReply(t *testing.T) {
	orig := NewRawMessage([]byte("From: bob@example.net\r\nSubject: =?UTF-8?Q?Caf=C3=A9?=\r\nMessage-ID: <a@x>\r\nIn-Reply-To: <p@x>\r\n\r\nhi\r\n"))
	bare := NewRawMessage([]byte("From: bob@example.net\r\n\r\nhi\r\n"))
	info := ReplyInfo{User: "alice@example.org", Own: []string{"alice@example.org", "al@example.org"},
		Now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), Host: "mx.example.org"}
	tests := []struct {
		name   string
		v      Vacation
		msg    Message
		header map[string]string
		body   string
		err    bool
	}{
		{name: "defaults", v: Vacation{To: "bob@example.net", Reason: "Away.\nBack Monday."}, msg: orig,
			header: map[string]string{"From": "alice@example.org", "Subject": "Auto: Café", "In-Reply-To": "<a@x>",
				"References": "<p@x> <a@x>", "Content-Type": "text/plain; charset=us-ascii", "Date": "Mon, 23 Nov 2026 10:00:00 +0000"},
			body: "Away.\r\nBack Monday.\r\n"},
		{name: "no subject, no message-id", v: Vacation{To: "bob@example.net", Reason: "x"}, msg: bare,
			header: map[string]string{"Subject": "Automated reply", "In-Reply-To": "", "References": ""}, body: "x\r\n"},
		{name: "own :from and :subject", v: Vacation{To: "bob@example.net", From: "Al <al@example.org>", Subject: "Gone fishing", Reason: "x"}, msg: orig,
			header: map[string]string{"From": `"Al" <al@example.org>`, "Subject": "Gone fishing"}, body: "x\r\n"},
		{name: "foreign :from falls back to the user", v: Vacation{To: "bob@example.net", From: "boss@example.com", Reason: "x"}, msg: orig,
			header: map[string]string{"From": "alice@example.org"}, body: "x\r\n"},
		{name: "UTF-8 reason", v: Vacation{To: "bob@example.net", Reason: "Zurück am Montag"}, msg: orig,
			header: map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Transfer-Encoding": "quoted-printable"},
			body:   "Zur=C3=BCck am Montag\r\n"},
		{name: ":mime", v: Vacation{To: "bob@example.net", Mime: true, Reason: "Content-Type: text/html\n\n<p>Away</p>\n"}, msg: orig,
			header: map[string]string{"Content-Type": "text/html", "MIME-Version": "1.0"}, body: "<p>Away</p>\r\n"},
		{name: ":mime with 8-bit header", v: Vacation{To: "bob@example.net", Mime: true, Reason: "Content-Description: é\n\nx"}, msg: orig, err: true},
		{name: "null sender", v: Vacation{To: "", Reason: "x"}, msg: orig, err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := BuildVacationReply(tc.v, tc.msg, info)
			if tc.err {
				if err == nil {
					t.Fatalf("no error; reply:\n%s", raw)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(raw), "Auto-Submitted: auto-replied\r\n") {
				t.Errorf("Auto-Submitted is not first:\n%s", raw)
			}
			if strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
				t.Errorf("bare LF in the reply:\n%q", raw)
			}
			m, err := mail.ReadMessage(strings.NewReader(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			dec := new(mime.WordDecoder)
			for k, want := range tc.header {
				got, _ := dec.DecodeHeader(m.Header.Get(k))
				if got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if to := m.Header.Get("To"); to != "<bob@example.net>" {
				t.Errorf("To = %q", to)
			}
			if body := string(raw[strings.Index(string(raw), "\r\n\r\n")+4:]); body != tc.body {
				t.Errorf("body = %q, want %q", body, tc.body)
			}
		})
	}
}

// The response log's identity is the script text before variables are
// expanded, or the handle; list, automatic and bulk messages get no reply
// and the user's aliases count as the user's addresses.
//
// spec: SV-37, SV-38, SV-39
func TestVacationIdentityAndSuppression(t *testing.T) {
	src := `require ["vacation", "variables"]; set "s" "x"; if header :matches "subject" "*" { set "s" "${1}"; } vacation "About ${s}";`
	s, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := func(subject, extra string, own ...string) *Vacation {
		t.Helper()
		msg := NewRawMessage([]byte("From: bob@example.net\r\nTo: al@example.org\r\nSubject: " + subject + "\r\n" + extra + "\r\nhi\r\n"))
		res, err := s.Run(context.Background(), &Input{Message: msg, Envelope: Envelope{From: "bob@example.net", To: "alice@example.org"}, UserAddresses: own})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Actions {
			if v, ok := a.(Vacation); ok {
				return &v
			}
		}
		return nil
	}
	if v := run("one", ""); v != nil {
		t.Errorf("a reply to mail addressed to another address: %v", v)
	}
	a, b := run("one", "", "al@example.org"), run("two", "", "al@example.org")
	if a == nil || b == nil {
		t.Fatal("no reply to mail addressed to the user's alias")
	}
	if a.Reason == b.Reason || a.Identity != b.Identity || a.Identity == "" {
		t.Errorf("identities %q / %q for reasons %q / %q: want equal identities", a.Identity, b.Identity, a.Reason, b.Reason)
	}
	for _, extra := range []string{"List-Id: <l.example.net>\r\n", "List-Post: <mailto:l@example.net>\r\n",
		"Auto-Submitted: auto-replied\r\n", "Precedence: junk\r\n", "Precedence: list\r\n"} {
		if v := run("x", extra, "al@example.org"); v != nil {
			t.Errorf("a reply to a message with %q", extra)
		}
	}
	if v := run("x", "Auto-Submitted: no\r\nPrecedence: first-class\r\n", "al@example.org"); v == nil {
		t.Error("no reply to a message marked Auto-Submitted: no")
	}
}
