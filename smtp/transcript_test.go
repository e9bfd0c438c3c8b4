package smtp

import (
	"strings"
	"testing"
)

// step is one line of a transcript: a line the client sends (CRLF added),
// or the start of the reply the server must give ("" for the connection
// to close).
type step struct {
	c string // client line
	s string // expected reply prefix
}

func C(line string) step  { return step{c: line} }
func S(reply string) step { return step{s: reply} }

// closed expects the server to end the connection.
var closed = step{s: "<closed>"}

func runTranscript(t *testing.T, addr string, steps []step) {
	t.Helper()
	r := dialRaw(t, addr)
	for i, st := range steps {
		switch {
		case st.c != "" || st.s == "":
			r.write(st.c + "\r\n")
		case st == closed:
			if line, err := r.reply(); err == nil {
				t.Fatalf("step %d: got %q, want the connection closed", i, line)
			}
		default:
			line, err := r.reply()
			if err != nil {
				t.Fatalf("step %d: want %q: %v", i, st.s, err)
			}
			if !strings.HasPrefix(line, st.s) {
				t.Fatalf("step %d: got %q, want %q…", i, line, st.s)
			}
		}
	}
}

// Malformed and out-of-order commands each get a 5xx, and the session goes
// on or ends as RFC 5321 says. go-smtp answers commands out of sequence
// with 502 5.5.1 where RFC 5321 §4.2.4 has 503.
func TestMalformedCommandsTranscript(t *testing.T) {
	e := newEnv(t)
	long := "NOOP " + strings.Repeat("x", 2100)
	tests := []struct {
		name  string
		addr  string
		steps []step
	}{
		{"sequence", e.smtpAddr, []step{
			S("220 mx.zest.test ESMTP"),
			C("MAIL FROM:<sender@example.net>"), S("502 5.5.1 "), // before EHLO
			C("HELO"), S("501 5.5.2 "),
			C("LHLO client.example.net"), S("500 5.5.1 "),
			C("EHLO client.example.net"), S("250 "),
			C("RCPT TO:<alice@example.org>"), S("502 5.5.1 "), // RCPT before MAIL
			C("DATA"), S("502 5.5.1 "), // DATA before MAIL
			C("MAIL FROM:<sender@example.net>"), S("250 2.0.0 "),
			C("DATA"), S("502 5.5.1 "), // DATA before RCPT
			C("BDAT 7\r\nhello"), S("502 5.5.1 "), // the chunk "hello\r\n" is read and dropped
			C("MAIL FROM:<other@example.net>"), S("503 5.5.1 "),
			C("RCPT TO:<alice@example.org>"), S("250 2.0.0 "),
			C("DATA extra"), S("501 5.5.4 "),
			C("DATA"), S("354 "),
			C("Subject: ok"), C(""), C("fine"), C("."), S("250 2.0.0 Ok: delivered as "),
			C("QUIT"), S("221 2.0.0 "), closed,
		}},
		{"syntax", e.smtpAddr, []step{
			S("220 "),
			C("EHLO client.example.net"), S("250 "),
			C("MAIL alice@example.net"), S("501 5.5.2 "),
			C("MAIL FROM:alice"), S("501 5.5.2 "),
			C("MAIL FROM:<alice@example.net"), S("501 5.5.2 "),
			C("MAIL FROM:<@example.net>"), S("501 5.5.2 "),
			C("MAIL FROM:<sender@example.net> SIZE=big"), S("501 5.5.4 "),
			C("MAIL FROM:<sender@example.net> FOO=bar"), S("500 5.5.4 "),
			C("MAIL FROM:<sender@example.net> BODY=BINARYMIME"), S("504 5.5.4 "),
			C("MAIL FROM:<a\x00b@example.net>"), S("501 5.1.7 "),
			C("MAIL FROM:<a\x01b@example.net>"), S("501 5.1.7 "),
			C("MAIL FROM:<a\xffb@example.net>"), S("501 5.1.7 "),
			C("MAIL FROM:<>"), S("250 "),
			C("RCPT TO:"), S("501 5.5.2 "),
			C("RCPT TO:<>"), S("501 5.5.2 "),
			C("RCPT TO:<postmaster>"), S("501 5.5.2 "), // go-smtp's parser wants a domain
			C("RCPT TO:<al\x00ice@example.org>"), S("501 5.1.3 "),
			C("RCPT TO:<alice@example.org> NOTIFY=NEVER"), S("504 5.5.4 "),
			C("RCPT TO:<postmaster@example.org>"), S("250 "),
			C("VRFY alice"), S("252 2.5.0 "),
			C("EXPN team"), S("502 5.5.1 "),
			C("AUTH PLAIN AGFsaWNlAHB3"), S("523 5.7.10 "), // no AUTH on the MX
			C("STARTTLS"), S("502 5.5.1 "), // no TLS configured
			C("NOOP"), S("250 "),
			C("RSET"), S("250 "),
			C("QUIT"), S("221 "), closed,
		}},
		{"garbage ends the session after three", e.smtpAddr, []step{
			S("220 "),
			C("\xff\xfe\xfd\xfc"), S("500 5.5.2 "),
			C("NO\x00P"), S("500 5.5.2 "),
			C(""), S("500 5.5.2 "),
			C("\x00"), S("501 5.5.2 "),
			S("500 5.5.1 Too many errors"), closed,
		}},
		{"too long a line ends the session", e.smtpAddr, []step{
			S("220 "),
			C("EHLO client.example.net"), S("250 "),
			C(long), S("500 5.4.0 "), closed,
		}},
		{"too long a line in DATA", e.smtpAddr, []step{
			S("220 "),
			C("EHLO client.example.net"), S("250 "),
			C("MAIL FROM:<sender@example.net>"), S("250 "),
			C("RCPT TO:<alice@example.org>"), S("250 "),
			C("DATA"), S("354 "),
			C("Subject: long"), C(""), C(strings.Repeat("y", 2100)),
			S("500 5.5.6 "), S("500 5.4.0 "), closed,
		}},
		{"lmtp", e.lmtpAddr, []step{
			S("220 mx.zest.test LMTP"),
			C("EHLO client.example.net"), S("500 5.5.1 "),
			C("HELO client.example.net"), S("500 5.5.1 "),
			C("LHLO mta.example.org"), S("250 "),
			C("RCPT TO:<alice@example.org>"), S("502 5.5.1 "),
			C("MAIL FROM:<sender@example.net>"), S("250 "),
			C("RCPT TO:<alice@elsewhere.example>"), S("550 5.7.1 "),
			C("RCPT TO:<nobody@example.org>"), S("550 5.1.1 "),
			C("DATA"), S("502 5.5.1 "),
			C("RCPT TO:<alice@example.org>"), S("250 "),
			C("RCPT TO:<alice@example.org>"), S("250 "),
			C("DATA"), S("354 "),
			C("Subject: twice"), C(""), C("x"), C("."),
			S("250 2.0.0 <alice@example.org> Ok: delivered as "),
			S("250 2.0.0 <alice@example.org> Ok: delivered as "),
			C("QUIT"), S("221 "), closed,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runTranscript(t, tc.addr, tc.steps) })
	}
	if n := len(e.inbox(e.alice)); n != 2 {
		t.Errorf("alice has %d messages, want 2", n)
	}
	if logs := e.logs.String(); strings.Contains(logs, "panic") {
		t.Errorf("panic logged:\n%s", logs)
	}
}
