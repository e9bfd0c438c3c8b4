package sieve

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/mail"
	"reflect"
	"strings"
	"testing"
	"time"
)

// spec: SV-57, NA-44, NA-45
func TestParseMailto(t *testing.T) {
	tests := []struct {
		uri  string
		want *MailtoURI
	}{
		{"mailto:a@example.org", &MailtoURI{Recipients: []MailtoRecipient{{Full: "a@example.org", Address: "a@example.org"}}}},
		{"MAILTO:", &MailtoURI{}},
		{"mailto:?to=a@example.org", &MailtoURI{Recipients: []MailtoRecipient{{Full: "a@example.org", Address: "a@example.org"}}}},
		// RFC 6068 §6.1 examples.
		{"mailto:chris@example.com", &MailtoURI{Recipients: []MailtoRecipient{{Full: "chris@example.com", Address: "chris@example.com"}}}},
		{"mailto:infobot@example.com?subject=current-issue", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "infobot@example.com", Address: "infobot@example.com"}},
			Subject:    "current-issue", HasSubject: true}},
		{"mailto:infobot@example.com?body=send%20current-issue", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "infobot@example.com", Address: "infobot@example.com"}},
			Body:       "send current-issue", HasBody: true}},
		{"mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "infobot@example.com", Address: "infobot@example.com"}},
			Body:       "send current-issue\r\nsend index", HasBody: true}},
		{"mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "list@example.org", Address: "list@example.org"}}}},
		{"mailto:majordomo@example.com?body=subscribe%20bamboo-l", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "majordomo@example.com", Address: "majordomo@example.com"}},
			Body:       "subscribe bamboo-l", HasBody: true}},
		{"mailto:joe@example.com?cc=bob@example.com&body=hello", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "joe@example.com", Address: "joe@example.com"},
				{Full: "bob@example.com", Address: "bob@example.com", Cc: true}},
			Body: "hello", HasBody: true}},
		{"mailto:gorby%25kremvax@example.com", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "gorby%kremvax@example.com", Address: "gorby%kremvax@example.com"}}}},
		{"mailto:%22not%40me%22@example.org", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: `"not@me"@example.org`, Address: `"not@me"@example.org`}}}},
		{"mailto:user@example.org?subject=caf%C3%A9", &MailtoURI{
			Recipients: []MailtoRecipient{{Full: "user@example.org", Address: "user@example.org"}},
			Subject:    "café", HasSubject: true}},
		// RFC 6068 separates with ","; %2C (RFC 2368) too.
		{"mailto:a@example.org,b@example.org%2Cc@example.org", &MailtoURI{Recipients: []MailtoRecipient{
			{Full: "a@example.org", Address: "a@example.org"}, {Full: "b@example.org", Address: "b@example.org"},
			{Full: "c@example.org", Address: "c@example.org"}}}},
		// NA-44: to and cc fields; a To and Cc recipient stays To; NA-45:
		// unsafe fields dropped; first subject, body and reply-to win.
		{"mailto:a@example.org?cc=b@example.org&to=b@example.org&cc=A@EXAMPLE.ORG&subject=1&subject=2&body=x&body=y" +
			"&auto-submitted=no&Received=x&message-id=x&DATE=x&from=evil@example.net&bcc=c@example.org&reply-to=r1&reply-to=r2&X-Tag=t",
			&MailtoURI{
				Recipients: []MailtoRecipient{{Full: "a@example.org", Address: "a@example.org"},
					{Full: "b@example.org", Address: "b@example.org"}, {Full: "A@EXAMPLE.ORG", Address: "A@EXAMPLE.ORG", Cc: true}},
				Subject: "1", HasSubject: true, Body: "x", HasBody: true,
				Headers: []MailtoHeader{{Name: "reply-to", Value: "r1"}, {Name: "X-Tag", Value: "t"}}}},
		{"mailto:?subject=", &MailtoURI{HasSubject: true}},
	}
	for _, tt := range tests {
		got, err := ParseMailto(tt.uri)
		if err != nil {
			t.Errorf("ParseMailto(%q): %v", tt.uri, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseMailto(%q) =\n%+v\nwant\n%+v", tt.uri, got, tt.want)
		}
	}

	for _, bad := range []string{
		"", "a@example.org", "http://example.org", "mailto:a b@example.org", "mailto:a@example.org#x",
		"mailto:notanaddress", "mailto:a@%zz", "mailto:a@example.org%", "mailto:a@example.org%0",
		"mailto:a%00@example.org", "mailto:a@example.org?subject", "mailto:a@example.org?&subject=x",
		"mailto:a@example.org?=x", "mailto:a@example.org?x%20y=1", "mailto:a@example.org?subject=a%0D%0Ab",
		"mailto:a@example.org?X-A=a%0Ab", "mailto:a@example.org?subject=%FF", "mailto:a@example.org?cc=nobody",
		"mailto:a@example.org?subject=a b", "mailto:<a@example.org>", "mailto:a@example.org?to=b@example.org,",
		"mailto:x0@example.org,x1@example.org,x2@example.org,x3@example.org,x4@example.org,x5@example.org,x6@example.org,x7@example.org,x8@example.org",
		"mailto:a@example.org?" + strings.Repeat("X-A=1&", maxMailtoHeaders) + "X-B=2",
	} {
		if u, err := ParseMailto(bad); err == nil {
			t.Errorf("ParseMailto(%q) = %+v, want an error", bad, u)
		}
	}
}

// FuzzMailto: whatever ParseMailto accepts has valid addresses, header
// fields that cannot break out of their line, and survives being written
// back as a URI and parsed again unchanged.
func FuzzMailto(f *testing.F) {
	for _, s := range []string{
		"mailto:a@example.org", "mailto:a@example.org,b@example.org?cc=c@example.org&subject=s&body=b%0D%0A",
		"mailto:%22Al%22%20%3Ca@example.org%3E", "mailto:?to=a@example.org&X-Foo=bar&reply-to=x",
		"mailto:%22a%2Cb%22@example.org", "mailto:a@%zz", "mailto:a@example.org?subject=caf%C3%A9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		u, err := ParseMailto(uri)
		if err != nil {
			return
		}
		if len(u.Recipients) > maxMailtoRecipients || len(u.Headers) > maxMailtoHeaders {
			t.Fatalf("%q: over the limits: %+v", uri, u)
		}
		for _, r := range u.Recipients {
			if a, ok := addrSpec(r.Address); !ok || a != r.Address {
				t.Fatalf("%q: recipient %q is not an address", uri, r.Address)
			}
		}
		for _, h := range u.Headers {
			if !validHeaderName(h.Name) || strings.ContainsAny(h.Value, "\r\n") {
				t.Fatalf("%q: header %q can break the message", uri, h)
			}
		}
		if strings.ContainsAny(u.Subject, "\r\n") {
			t.Fatalf("%q: subject %q holds a line break", uri, u.Subject)
		}
		again, err := ParseMailto(mailtoString(u))
		if err != nil {
			t.Fatalf("%q: written back as %q: %v", uri, mailtoString(u), err)
		}
		if !reflect.DeepEqual(again, u) {
			t.Fatalf("%q: written back as %q parses as\n%+v\nnot\n%+v", uri, mailtoString(u), again, u)
		}
	})
}

// mailtoString writes a parsed URI back, every recipient as its own to or
// cc field so that order and kind survive.
func mailtoString(u *MailtoURI) string {
	var fields []string
	for _, r := range u.Recipients {
		name := "to"
		if r.Cc {
			name = "cc"
		}
		fields = append(fields, name+"="+encodeURL(r.Full))
	}
	if u.HasSubject {
		fields = append(fields, "subject="+encodeURL(u.Subject))
	}
	if u.HasBody {
		fields = append(fields, "body="+encodeURL(u.Body))
	}
	for _, h := range u.Headers {
		fields = append(fields, encodeURL(h.Name)+"="+encodeURL(h.Value))
	}
	if len(fields) == 0 {
		return "mailto:"
	}
	return "mailto:?" + strings.Join(fields, "&")
}

const triggerMsg = "Return-Path: <alice@example.org>\r\n" +
	"Received: from mx.example.org by mail.example.com;\r\n\tMon, 2 Mar 2026 10:00:00 +0000\r\n" +
	"Received: from a.example.org by mx.example.org; Mon, 2 Mar 2026 09:59:00 +0000\r\n" +
	"From: =?utf-8?q?Al=C3=AFce?= <alice@example.org>\r\n" +
	"To: me@example.com\r\n" +
	"Subject: =?utf-8?q?D=C3=A9jeuner?= on Friday\r\n" +
	"Message-ID: <orig@example.org>\r\n" +
	"Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n" +
	"\r\nHi\r\n"

var notifyNow = time.Date(2026, 3, 2, 10, 0, 5, 0, time.UTC)

func buildNotification(t *testing.T, n Notify, envFrom string) (*MailtoNotification, *mail.Message) {
	t.Helper()
	if n.Importance == "" {
		n.Importance = "2"
	}
	out, err := BuildMailtoNotification(n, MailtoInput{User: "me@example.com", Message: newTestMessage(triggerMsg),
		EnvelopeFrom: envFrom, Now: notifyNow, Host: "mail.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bytes.ReplaceAll(out.Message, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("bare LF in %q", out.Message)
	}
	m, err := mail.ReadMessage(bytes.NewReader(out.Message))
	if err != nil {
		t.Fatalf("notification does not parse: %v\n%s", err, out.Message)
	}
	return out, m
}

func decoded(t *testing.T, v string) string {
	t.Helper()
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The test idea of notifications-arch.md: a trigger with an empty MAIL
// FROM and a URI that tries to set From.
//
// spec: NA-43, NA-45, NA-46
func TestMailtoNotificationEmptySender(t *testing.T) {
	out, m := buildNotification(t, Notify{Message: "hi", Method: "mailto:me@example.net?subject=x&from=evil@example.org"}, "")
	if out.From != "" {
		t.Errorf("envelope sender %q, want the null path", out.From)
	}
	if !bytes.HasPrefix(out.Message, []byte("Auto-Submitted: auto-notified; owner-email=\"me@example.com\"\r\n")) {
		t.Errorf("message does not start with Auto-Submitted:\n%s", out.Message)
	}
	if got := m.Header.Get("Subject"); got != "hi" {
		t.Errorf("Subject %q, want hi", got)
	}
	if got := m.Header.Get("From"); got != "me@example.com" {
		t.Errorf("From %q, want the user", got)
	}
	if !reflect.DeepEqual(out.Recipients, []string{"me@example.net"}) {
		t.Errorf("recipients %q", out.Recipients)
	}
}

// spec: NA-43
func TestMailtoNotificationSender(t *testing.T) {
	for _, tt := range []struct {
		from, envFrom, wantEnv, wantHeader string
	}{
		{"", "alice@example.org", "me@example.com", "<me@example.com>"},
		{"other@example.com", "alice@example.org", "other@example.com", "<other@example.com>"},
		{"Me <other@example.com>", "alice@example.org", "other@example.com", `"Me" <other@example.com>`},
		{"other@example.com", "", "", "<other@example.com>"},
		{"not an address", "alice@example.org", "me@example.com", "<me@example.com>"},
	} {
		out, m := buildNotification(t, Notify{From: tt.from, Method: "mailto:a@example.org"}, tt.envFrom)
		if out.From != tt.wantEnv {
			t.Errorf(":from %q, trigger from %q: envelope sender %q, want %q", tt.from, tt.envFrom, out.From, tt.wantEnv)
		}
		a, err := m.Header.AddressList("From")
		if err != nil || len(a) != 1 || a[0].String() != tt.wantHeader {
			t.Errorf(":from %q: From %v %v, want %s", tt.from, a, err, tt.wantHeader)
		}
	}
}

// spec: NA-44, NA-47
func TestMailtoNotificationRecipients(t *testing.T) {
	out, m := buildNotification(t, Notify{Method: "mailto:a@example.org,%22B%C3%B6b%22%20%3Cb@example.org%3E?to=c@example.org&cc=d@example.org&bcc=e@example.org",
		Skip: []string{"c@EXAMPLE.org"}}, "alice@example.org")
	if want := []string{"a@example.org", "b@example.org", "d@example.org"}; !reflect.DeepEqual(out.Recipients, want) {
		t.Errorf("recipients %q, want %q", out.Recipients, want)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Address != "a@example.org" || to[1].Address != "b@example.org" || to[1].Name != "Böb" {
		t.Errorf("To %v %v", to, err)
	}
	if cc := m.Header.Get("Cc"); cc != "d@example.org" {
		t.Errorf("Cc %q", cc)
	}
	if m.Header.Get("Bcc") != "" {
		t.Errorf("a Bcc field was written")
	}
	_, err = BuildMailtoNotification(Notify{Method: "mailto:a@example.org", Skip: []string{"a@example.org"}},
		MailtoInput{User: "me@example.com", Message: newTestMessage(triggerMsg)})
	if !errors.Is(err, ErrNoRecipients) {
		t.Errorf("every recipient skipped: %v, want ErrNoRecipients", err)
	}
	if _, err := BuildMailtoNotification(Notify{Method: "mailto:"}, MailtoInput{}); !errors.Is(err, ErrNoRecipients) {
		t.Errorf("mailto: %v, want ErrNoRecipients", err)
	}
	if _, err := BuildMailtoNotification(Notify{Method: "xmpp:a@example.org"}, MailtoInput{}); err == nil {
		t.Errorf("xmpp: no error")
	}
}

// spec: NA-45
func TestMailtoNotificationHeaders(t *testing.T) {
	out, m := buildNotification(t, Notify{Method: "mailto:a@example.org?x-tag=1&reply-to=r@example.org&auto-submitted=no&received=x" +
		"&message-id=%3Cx@y%3E&date=Mon&from=evil@example.org&content-type=text%2Fhtml"}, "alice@example.org")
	lines := strings.Split(string(out.Message), "\r\n")
	want := []string{
		`Auto-Submitted: auto-notified; owner-email="me@example.com"`,
		"Received: from mx.example.org by mail.example.com;",
		"\tMon, 2 Mar 2026 10:00:00 +0000",
		"Received: from a.example.org by mx.example.org; Mon, 2 Mar 2026 09:59:00 +0000",
	}
	if !reflect.DeepEqual(lines[:4], want) {
		t.Errorf("first lines\n%q\nwant\n%q", lines[:4], want)
	}
	for name, want := range map[string]string{
		"Auto-Submitted": `auto-notified; owner-email="me@example.com"`,
		"X-Tag":          "1",
		"Reply-To":       "r@example.org",
		"Date":           "Mon, 02 Mar 2026 10:00:05 +0000",
		"Content-Type":   "text/plain; charset=utf-8",
		"From":           "me@example.com",
	} {
		if got := m.Header[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s: %q, want just %q", name, got, want)
		}
	}
	if id := m.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@mail.example.com>") || id == "<orig@example.org>" {
		t.Errorf("Message-ID %q", id)
	}
	out2, _ := buildNotification(t, Notify{Method: "mailto:a@example.org"}, "alice@example.org")
	if bytes.Equal(out.Message, out2.Message) {
		t.Errorf("two notifications are identical")
	}
	// owner-email is a quoted string whatever the address holds.
	out3, err := BuildMailtoNotification(Notify{Method: "mailto:a@example.org"}, MailtoInput{User: `"a\"b"@example.com`})
	if err != nil || !bytes.HasPrefix(out3.Message, []byte(`Auto-Submitted: auto-notified; owner-email="\"a\\\"b\"@example.com"`+"\r\n")) {
		t.Errorf("quoted owner-email: %v\n%s", err, out3.Message)
	}
}

// spec: NA-46, SV-61
func TestMailtoNotificationSubjectAndBody(t *testing.T) {
	for _, tt := range []struct {
		name, message, uri, subject string
		body                        []string // lines the body must hold; nil: empty body
	}{
		{":message wins", "Seen: ${x}", "mailto:a@example.org?subject=uri&body=text", "Seen: ${x}", []string{"text"}},
		{"URI subject", "", "mailto:a@example.org?subject=uri%20s", "uri s",
			[]string{"From: Alïce <alice@example.org>", "Subject: Déjeuner on Friday"}},
		{"original subject", "", "mailto:a@example.org", "Déjeuner on Friday",
			[]string{"From: Alïce <alice@example.org>", "Subject: Déjeuner on Friday"}},
		{":message without body", "Hello", "mailto:a@example.org", "Hello", nil},
		{"line breaks in :message", "one\r\ntwo", "mailto:a@example.org", "one two", nil},
		{"UTF-8 body", "x", "mailto:a@example.org?body=caf%C3%A9%0Aline", "x", []string{"café", "line"}},
		{"UTF-8 URI fields", "x", "mailto:a@example.org?X-Note=caf%C3%A9&Reply-To=J%C3%B6%20%3Cj@example.org%3E", "x", nil},
		{"long subject", strings.Repeat("ünïcode ", 20), "mailto:a@example.org", strings.Repeat("ünïcode ", 20), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, m := buildNotification(t, Notify{Message: tt.message, Method: tt.uri}, "alice@example.org")
			if strings.Contains(tt.uri, "X-Note") {
				if got := decoded(t, m.Header.Get("X-Note")); got != "café" {
					t.Errorf("X-Note %q", got)
				}
				if rt, err := m.Header.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Name != "Jö" || rt[0].Address != "j@example.org" {
					t.Errorf("Reply-To %q: %v %v", m.Header.Get("Reply-To"), rt, err)
				}
			}
			raw := m.Header.Get("Subject")
			if got := decoded(t, raw); got != tt.subject {
				t.Errorf("Subject %q (%q), want %q", got, raw, tt.subject)
			}
			if !isASCII(raw) {
				t.Errorf("Subject not RFC 2047-encoded: %q", raw)
			}
			for _, l := range strings.Split(string(out.Message), "\r\n") {
				if len(l) > 998 {
					t.Errorf("line of %d octets", len(l))
				}
			}
			body, _ := io.ReadAll(m.Body)
			if tt.body == nil {
				if len(body) != 0 {
					t.Errorf("body %q, want empty", body)
				}
				return
			}
			if want := strings.Join(tt.body, "\r\n") + "\r\n"; string(body) != want {
				t.Errorf("body %q, want %q", body, want)
			}
		})
	}
}

// spec: NA-47
func TestIsAutoSubmitted(t *testing.T) {
	for hdr, want := range map[string]bool{
		"":                                 false,
		"Auto-Submitted: no\r\n":           false,
		"Auto-Submitted: No (human)\r\n":   false,
		"Auto-Submitted: auto-replied\r\n": true,
		"Auto-Submitted: auto-notified; owner-email=\"x@y\"\r\n":   true,
		"Auto-Submitted: no\r\nAuto-Submitted: auto-generated\r\n": true,
		"Auto-Submitted:\r\n": true,
	} {
		msg := newTestMessage("From: a@example.org\r\n" + hdr + "Subject: s\r\n\r\nb\r\n")
		if got := IsAutoSubmitted(msg); got != want {
			t.Errorf("%q: %v, want %v", hdr, got, want)
		}
	}
	if IsAutoSubmitted(nil) {
		t.Errorf("nil message is auto-submitted")
	}
}
