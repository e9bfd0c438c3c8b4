package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"zest/storage"
)

// A message sent over SMTP lands in INBOX byte for byte after the headers
// zest prepends, and the reply names the id that the Received header has.
func TestSMTPDeliveryLandsInInbox(t *testing.T) {
	e := newEnv(t)
	c := e.smtpClient()
	msg := testMessage("smtp-delivery")
	resp, err := send(t, c, "sender@example.net", []string{"alice@example.org"}, msg)
	if err != nil {
		t.Fatal(err)
	}
	stored := e.only(e.alice)
	trace, received, id, body := splitTrace(t, stored)
	if !bytes.Equal(body, msg) {
		t.Fatalf("stored message differs from the one sent:\n got %q\nwant %q", body, msg)
	}
	if resp != "2.0.0 Ok: delivered as "+id {
		t.Errorf("DATA reply %q does not name id %s", resp, id)
	}
	want := regexp.MustCompile(`^Return-Path: <sender@example\.net>\r\n` +
		`Delivered-To: alice@example\.org\r\n` +
		`Received: from client\.example\.net \(\[127\.0\.0\.1\]\)\r\n` +
		`\tby mx\.zest\.test with ESMTP\r\n` +
		`\tid [a-z2-7]{16}\r\n` +
		`\tfor <alice@example\.org>; [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [-+]\d{4}\r\n$`)
	if !want.MatchString(trace) {
		t.Errorf("trace headers:\n%s\ndo not match %s", trace, want)
	}
	if !strings.Contains(received, " with ESMTP\r\n") {
		t.Errorf("Received: %q", received)
	}
	if bob := e.inbox(e.bob); len(bob) != 0 {
		t.Errorf("bob got %d messages", len(bob))
	}
	logs := e.logs.String()
	for _, want := range []string{"msg=delivery", "id=" + id, "from=sender@example.net", "rcpt=alice@example.org", "result=\"250 2.0.0\"", "size=", "duration="} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "A line that starts with a dot") {
		t.Error("the log contains message content")
	}
}

// LMTP answers each recipient after the message: one whose account was
// deleted between RCPT and DATA is refused while the other is stored.
func TestLMTPPerRecipientReplies(t *testing.T) {
	e := newEnv(t)
	c := e.lmtpClient()
	if err := c.Mail("sender@example.net", nil); err != nil {
		t.Fatal(err)
	}
	for _, rcpt := range []string{"alice@example.org", "bob@example.org"} {
		if err := c.Rcpt(rcpt, nil); err != nil {
			t.Fatal(err)
		}
	}
	smtpErr(t, c.Rcpt("carol@example.org", nil), 550, "5.1.1")
	if err := e.store.DeleteAccount(context.Background(), "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	msg := testMessage("lmtp-per-recipient")
	w.Write(msg)
	resp, err := w.CloseWithLMTPResponse()
	var lerr gosmtp.LMTPDataError
	if !errors.As(err, &lerr) {
		t.Fatalf("got %v, want a per-recipient error", err)
	}
	if len(lerr) != 1 || lerr["bob@example.org"] == nil {
		t.Fatalf("per-recipient errors %v, want bob's only", lerr)
	}
	smtpErr(t, lerr["bob@example.org"], 550, "5.1.1")
	if resp["alice@example.org"] == nil || !strings.HasPrefix(resp["alice@example.org"].StatusText, "2.0.0 <alice@example.org> Ok: delivered as ") {
		t.Fatalf("alice's reply: %+v", resp["alice@example.org"])
	}
	trace, _, _, body := splitTrace(t, e.only(e.alice))
	if !bytes.Equal(body, msg) {
		t.Fatalf("stored %q", body)
	}
	// Two recipients: no Delivered-To, no "for".
	if strings.Contains(trace, "Delivered-To") || strings.Contains(trace, "for <") {
		t.Errorf("trace for two recipients:\n%s", trace)
	}
	if !strings.Contains(trace, " with LMTP\r\n") {
		t.Errorf("trace:\n%s", trace)
	}
}

// One LMTP transaction stores one body for all recipients: aliases, +tag
// and repeated addresses reach each account once, and every RCPT still
// gets its own reply, in order.
func TestLMTPSharedBodyAndDuplicates(t *testing.T) {
	e := newEnv(t)
	r := greeted(t, e.lmtpAddr, "LHLO mta.example.org")
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	rcpts := []string{"alice@example.org", "team@example.org", "bob+lists@example.org", "alice@example.org", "Alice+x@Example.org"}
	for _, rc := range rcpts {
		r.send("RCPT TO:<" + rc + ">")
		r.expect("250 ")
	}
	r.send("DATA")
	r.expect("354 ")
	r.write("Subject: shared\r\n\r\nOne body for everyone.\r\n.\r\n")
	var id string
	for _, rc := range rcpts {
		line := r.expect("250 2.0.0 <" + rc + "> Ok: delivered as ")
		got := line[strings.LastIndexByte(line, ' ')+1:]
		if id != "" && got != id {
			t.Errorf("replies name ids %s and %s", id, got)
		}
		id = got
	}
	r.send("NOOP")
	r.expect("250 ")

	a, b := e.inbox(e.alice), e.inbox(e.bob)
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("alice has %d messages, bob %d; want 1 each", len(a), len(b))
	}
	if a[0].Blob != b[0].Blob {
		t.Fatal("alice and bob got different bodies")
	}
	refs, err := e.store.BlobRefs(context.Background(), a[0].Blob)
	if err != nil || refs != 2 {
		t.Fatalf("BlobRefs = %d, %v; want 2", refs, err)
	}
	_, _, gotID, _ := splitTrace(t, e.body(a[0]))
	if gotID != id {
		t.Errorf("Received id %s, replies %s", gotID, id)
	}
}

// Sub-addressing over SMTP: the +tag address reaches the account's INBOX,
// and Delivered-To keeps the address as given.
func TestSubaddress(t *testing.T) {
	e := newEnv(t)
	if _, err := send(t, e.smtpClient(), "sender@example.net", []string{"alice+news@example.org"}, testMessage("tag")); err != nil {
		t.Fatal(err)
	}
	trace, _, _, _ := splitTrace(t, e.only(e.alice))
	if !strings.Contains(trace, "Delivered-To: alice+news@example.org\r\n") || !strings.Contains(trace, "for <alice+news@example.org>") {
		t.Errorf("trace:\n%s", trace)
	}
}

// A quoted local part, which go-smtp hands over unquoted, is quoted again
// in the headers.
func TestQuotedSender(t *testing.T) {
	e := newEnv(t)
	r := greeted(t, e.smtpAddr, "EHLO client.example.net")
	r.send(`MAIL FROM:<"john smith"@example.net>`)
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.send("DATA")
	r.expect("354 ")
	r.write("Subject: quoted\r\n\r\nhi\r\n.\r\n")
	r.expect("250 ")
	trace, _, _, _ := splitTrace(t, e.only(e.alice))
	if !strings.HasPrefix(trace, `Return-Path: <"john smith"@example.net>`+"\r\n") {
		t.Errorf("trace:\n%s", trace)
	}
}

func TestRecipientRefusals(t *testing.T) {
	e := newEnv(t)
	if err := e.store.SetDisabled(context.Background(), "bob@example.org", true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rcpt     string
		code     int
		enhanced string
	}{
		{"nobody@example.org", 550, "5.1.1"},
		{"alice@elsewhere.example", 550, "5.7.1"}, // relaying
		{"alice@example.org.evil.example", 550, "5.7.1"},
		{"bob@example.org", 550, "5.2.1"},
	} {
		for _, role := range []string{"smtp", "lmtp"} {
			t.Run(role+"/"+tc.rcpt, func(t *testing.T) {
				c := e.smtpClient()
				if role == "lmtp" {
					c = e.lmtpClient()
				}
				if err := c.Mail("sender@example.net", nil); err != nil {
					t.Fatal(err)
				}
				smtpErr(t, c.Rcpt(tc.rcpt, nil), tc.code, tc.enhanced)
				// The session goes on.
				if err := c.Rcpt("alice@example.org", nil); err != nil {
					t.Fatal(err)
				}
				if err := c.Reset(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	if n := len(e.inbox(e.alice)); n != 0 {
		t.Errorf("alice has %d messages", n)
	}
}

func TestSize(t *testing.T) {
	e := newEnvConfig(t, func(c *Config) { c.MaxMessageBytes = 2000 })
	c := e.smtpClient()
	if ok, v := c.Extension("SIZE"); !ok || v != "2000" {
		t.Fatalf("SIZE advertised as %v %q", ok, v)
	}
	// Declared too big: refused at MAIL.
	smtpErr(t, c.Mail("sender@example.net", &gosmtp.MailOptions{Size: 2001}), 552, "5.3.4")
	// Not declared, grows too big: refused after DATA.
	big := append(testMessage("big"), bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef\r\n"), 50)...)
	_, err := send(t, c, "sender@example.net", []string{"alice@example.org"}, big)
	smtpErr(t, err, 552, "5.3.4")
	if !strings.Contains(err.Error(), "2000 bytes") {
		t.Errorf("reply %q does not name the limit", err)
	}
	// The session goes on; a message within the limit is stored.
	if _, err := send(t, c, "sender@example.net", []string{"alice@example.org"}, testMessage("small")); err != nil {
		t.Fatal(err)
	}
	if n := len(e.inbox(e.alice)); n != 1 {
		t.Errorf("alice has %d messages, want 1", n)
	}

	// The same over BDAT: a chunk that passes the limit is refused.
	r := greeted(t, e.smtpAddr, "EHLO client.example.net")
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.write("BDAT 1500\r\n" + strings.Repeat("x", 1500))
	r.expect("250 ")
	r.write("BDAT 600 LAST\r\n" + strings.Repeat("y", 600))
	r.expect("552 5.3.4 ")
	r.send("NOOP")
	r.expect("250 ")
	if n := len(e.inbox(e.alice)); n != 1 {
		t.Errorf("alice has %d messages, want 1", n)
	}
}

// BDAT (CHUNKING) delivers the chunks joined, with no dot-unstuffing, in
// both roles.
func TestBDAT(t *testing.T) {
	e := newEnv(t)
	chunk1 := "Subject: chunked\r\n\r\n.leading dot stays\r\n"
	chunk2 := "second chunk\r\n.\r\nstill the message\r\n"

	r := greeted(t, e.smtpAddr, "EHLO client.example.net")
	r.send("MAIL FROM:<sender@example.net> BODY=8BITMIME")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.write("BDAT " + itoa(len(chunk1)) + "\r\n" + chunk1)
	r.expect("250 2.0.0 ")
	r.write("BDAT " + itoa(len(chunk2)) + " LAST\r\n" + chunk2)
	r.expect("250 2.0.0 Ok: delivered as ")
	_, _, _, body := splitTrace(t, e.only(e.alice))
	if string(body) != chunk1+chunk2 {
		t.Fatalf("stored %q", body)
	}

	r = greeted(t, e.lmtpAddr, "LHLO mta.example.org")
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.send("RCPT TO:<bob@example.org>")
	r.expect("250 ")
	r.write("BDAT 0 LAST\r\n")
	r.expect("250 2.0.0 <alice@example.org> Ok: delivered as ")
	r.expect("250 2.0.0 <bob@example.org> Ok: delivered as ")
	if n := len(e.inbox(e.bob)); n != 1 {
		t.Fatalf("bob has %d messages", n)
	}
}

// A BDAT LAST chunk cut short by the client closing the connection is not
// stored: go-smtp would take the short chunk as the whole message.
func TestBDATCutShortIsNotStored(t *testing.T) {
	e := newEnv(t)
	r := greeted(t, e.smtpAddr, "EHLO client.example.net")
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.write("BDAT 1000 LAST\r\nSubject: cut\r\n\r\nonly the beginning")
	r.conn.(interface{ CloseWrite() error }).CloseWrite()
	line, _ := r.reply()
	if strings.HasPrefix(line, "250") {
		t.Fatalf("truncated message acknowledged: %q", line)
	}
	waitFor(t, func() bool { return strings.Contains(e.logs.String(), "451 4.4.0") })
	if n := len(e.inbox(e.alice)); n != 0 {
		t.Fatalf("alice has %d messages, want 0", n)
	}
}

// A message with bare LF line ends is stored with CRLF; "\n.\n" is not the
// end of the data (RFC 5321 §4.1.1.4), so nothing can be smuggled after it.
func TestBareLFIsStoredAsCRLF(t *testing.T) {
	e := newEnv(t)
	r := greeted(t, e.smtpAddr, "EHLO client.example.net")
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.send("DATA")
	r.expect("354 ")
	r.write("Subject: bare\n\nline one\n.\nMAIL FROM:<smuggled@example.net>\nline two\r\n.\r\n")
	r.expect("250 ")
	_, _, _, body := splitTrace(t, e.only(e.alice))
	want := "Subject: bare\r\n\r\nline one\r\n.\r\nMAIL FROM:<smuggled@example.net>\r\nline two\r\n"
	if string(body) != want {
		t.Fatalf("stored %q\nwant %q", body, want)
	}
}

func TestSMTPUTF8(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	jose, err := e.store.CreateAccount(ctx, "josé@example.org", "pw")
	if err != nil {
		t.Fatal(err)
	}
	c := e.smtpClient()
	if ok, _ := c.Extension("SMTPUTF8"); !ok {
		t.Fatal("SMTPUTF8 not advertised")
	}
	// Without the SMTPUTF8 parameter a UTF-8 address is refused.
	if err := c.Mail("sender@example.net", nil); err != nil {
		t.Fatal(err)
	}
	smtpErr(t, c.Rcpt("josé@example.org", nil), 553, "5.6.7")
	c.Reset()
	smtpErr(t, c.Mail("δοκιμή@example.net", nil), 553, "5.6.7")
	c.Reset()

	if err := c.Mail("δοκιμή@παράδειγμα.example", &gosmtp.MailOptions{UTF8: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("josé@example.org", nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("From: δοκιμή@παράδειγμα.example\r\nTo: josé@example.org\r\nSubject: ünïcödé\r\n\r\nΓειά σου.\r\n")
	w.Write(msg)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	trace, received, _, body := splitTrace(t, e.only(jose))
	if !bytes.Equal(body, msg) {
		t.Fatalf("stored %q", body)
	}
	if !strings.HasPrefix(trace, "Return-Path: <δοκιμή@παράδειγμα.example>\r\nDelivered-To: josé@example.org\r\n") {
		t.Errorf("trace:\n%s", trace)
	}
	if !strings.Contains(received, " with UTF8SMTP\r\n") || !strings.Contains(received, "for <josé@example.org>") {
		t.Errorf("Received: %s", received)
	}
}

// Commands sent in one write (PIPELINING) get their replies in order, and
// the whole transaction can be one write.
func TestPipelining(t *testing.T) {
	e := newEnv(t)
	r := greeted(t, e.smtpAddr, "")
	r.write("EHLO client.example.net\r\n" +
		"MAIL FROM:<sender@example.net>\r\n" +
		"RCPT TO:<alice@example.org>\r\n" +
		"RCPT TO:<nobody@example.org>\r\n" +
		"RCPT TO:<bob@example.org>\r\n" +
		"DATA\r\n")
	r.expect("250 ")
	r.expect("250 ")
	r.expect("250 ")
	r.expect("550 5.1.1 ")
	r.expect("250 ")
	r.expect("354 ")
	r.write("Subject: pipelined\r\n\r\nhi\r\n.\r\n" +
		"MAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: second\r\n\r\nho\r\n.\r\nQUIT\r\n")
	r.expect("250 2.0.0 Ok: delivered as ")
	r.expect("250 ")
	r.expect("250 ")
	r.expect("354 ")
	r.expect("250 2.0.0 Ok: delivered as ")
	r.expect("221 ")
	r.expectClose()
	if a, b := len(e.inbox(e.alice)), len(e.inbox(e.bob)); a != 1 || b != 2 {
		t.Fatalf("alice has %d messages, bob %d; want 1 and 2", a, b)
	}
	trace, _, _, _ := splitTrace(t, e.body(e.inbox(e.bob)[1]))
	if !strings.HasPrefix(trace, "Return-Path: <>\r\n") {
		t.Errorf("null sender trace:\n%s", trace)
	}
}

func TestEHLOAdvertises(t *testing.T) {
	e := newEnv(t)
	for _, c := range []*gosmtp.Client{e.smtpClient(), e.lmtpClient()} {
		for _, ext := range []string{"PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "CHUNKING", "SMTPUTF8", "SIZE", "LIMITS"} {
			if ok, _ := c.Extension(ext); !ok {
				t.Errorf("%s not advertised", ext)
			}
		}
		for _, ext := range []string{"AUTH", "STARTTLS", "BINARYMIME", "DSN"} {
			if ok, _ := c.Extension(ext); ok {
				t.Errorf("%s advertised", ext)
			}
		}
	}
}

func TestTooManyRecipients(t *testing.T) {
	e := newEnvConfig(t, func(c *Config) { c.MaxRecipients = 2 })
	c := e.smtpClient()
	if err := c.Mail("sender@example.net", nil); err != nil {
		t.Fatal(err)
	}
	// A refused recipient does not count.
	smtpErr(t, c.Rcpt("nobody@example.org", nil), 550, "5.1.1")
	c.Rcpt("alice@example.org", nil)
	c.Rcpt("bob@example.org", nil)
	smtpErr(t, c.Rcpt("team@example.org", nil), 452, "4.5.3")
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(testMessage("two"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if a, b := len(e.inbox(e.alice)), len(e.inbox(e.bob)); a != 1 || b != 1 {
		t.Fatalf("alice has %d, bob %d", a, b)
	}
}

// A transaction already open refuses a second MAIL: go-smtp would keep the
// first transaction's recipients.
func TestNestedMailRefused(t *testing.T) {
	e := newEnv(t)
	r := greeted(t, e.lmtpAddr, "LHLO mta.example.org")
	r.send("MAIL FROM:<one@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.send("MAIL FROM:<two@example.net>")
	r.expect("503 5.5.1 ")
	r.send("RSET")
	r.expect("250 ")
	r.send("MAIL FROM:<two@example.net>")
	r.expect("250 ")
}

// When the store is closed under a session, RCPT and DATA get 451 4.3.0
// with a text that tells nothing of the cause, and the server keeps going.
func TestStoreClosedMidSession(t *testing.T) {
	e := newEnv(t)
	c := e.smtpClient()
	l := e.lmtpClient()
	for _, cl := range []*gosmtp.Client{c, l} {
		if err := cl.Mail("sender@example.net", nil); err != nil {
			t.Fatal(err)
		}
		if err := cl.Rcpt("alice@example.org", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	smtpErr(t, c.Rcpt("bob@example.org", nil), 451, "4.3.0")
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(testMessage("closed"))
	err = w.Close()
	smtpErr(t, err, 451, "4.3.0")
	if strings.Contains(err.Error(), "closed") {
		t.Errorf("reply tells the cause: %v", err)
	}
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}

	w, err = l.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(testMessage("closed"))
	_, err = w.CloseWithLMTPResponse()
	var lerr gosmtp.LMTPDataError
	if !errors.As(err, &lerr) || lerr["alice@example.org"] == nil {
		t.Fatalf("got %v", err)
	}
	smtpErr(t, lerr["alice@example.org"], 451, "4.3.0")
	if logs := e.logs.String(); !strings.Contains(logs, "store is closed") {
		t.Errorf("the log does not name the cause:\n%s", logs)
	}
}

// faultyStore fails the way a broken disk would.
type faultyStore struct {
	*storage.Store
	resolveErr, deliverErr error
	perTarget              map[storage.AccountID]error
}

func (f *faultyStore) ResolveRecipient(ctx context.Context, addr string) ([]storage.Recipient, error) {
	if f.resolveErr != nil {
		return nil, f.resolveErr
	}
	return f.Store.ResolveRecipient(ctx, addr)
}

func (f *faultyStore) Deliver(ctx context.Context, in storage.Incoming, targets []storage.Target) ([]storage.Stored, error) {
	if f.deliverErr != nil {
		return nil, f.deliverErr
	}
	if f.perTarget == nil {
		return f.Store.Deliver(ctx, in, targets)
	}
	out := make([]storage.Stored, len(targets))
	for i, t := range targets {
		out[i] = storage.Stored{Target: t, Err: f.perTarget[t.Account]}
	}
	return out, nil
}

func TestStoreFailures(t *testing.T) {
	fs := &faultyStore{}
	e := newEnvWith(t, envOptions{wrap: func(s *storage.Store) mailStore { fs.Store = s; return fs }})

	fs.resolveErr = errors.New("I/O error reading block 7")
	c := e.smtpClient()
	c.Mail("sender@example.net", nil)
	err := c.Rcpt("alice@example.org", nil)
	smtpErr(t, err, 451, "4.3.0")
	if strings.Contains(err.Error(), "block 7") {
		t.Errorf("reply leaks the cause: %v", err)
	}
	c.Reset()
	if !strings.Contains(e.logs.String(), "block 7") {
		t.Error("cause not logged")
	}
	fs.resolveErr = nil

	fs.deliverErr = errors.New("disk full")
	_, err = send(t, c, "sender@example.net", []string{"alice@example.org"}, testMessage("full"))
	smtpErr(t, err, 451, "4.3.0")
	fs.deliverErr = nil

	// Over SMTP, one recipient's temporary failure makes the reply
	// temporary; over LMTP only that recipient's.
	fs.perTarget = map[storage.AccountID]error{e.bob.ID: storage.ErrUIDSpaceExhausted}
	_, err = send(t, c, "sender@example.net", []string{"alice@example.org", "bob@example.org"}, testMessage("partial"))
	smtpErr(t, err, 452, "4.2.2")
	l := e.lmtpClient()
	l.Mail("sender@example.net", nil)
	l.Rcpt("alice@example.org", nil)
	l.Rcpt("bob@example.org", nil)
	w, _ := l.Data()
	w.Write(testMessage("partial"))
	_, err = w.CloseWithLMTPResponse()
	var lerr gosmtp.LMTPDataError
	if !errors.As(err, &lerr) || len(lerr) != 1 {
		t.Fatalf("got %v", err)
	}
	smtpErr(t, lerr["bob@example.org"], 452, "4.2.2")

	// Through an alias, a permanent failure of one account while the other
	// got its copy is not a failure of the address.
	fs.perTarget = map[storage.AccountID]error{e.bob.ID: storage.ErrNotFound}
	if _, err := send(t, c, "sender@example.net", []string{"team@example.org"}, testMessage("alias")); err != nil {
		t.Fatalf("alias with one account gone: %v", err)
	}
	_, err = send(t, c, "sender@example.net", []string{"bob@example.org"}, testMessage("gone"))
	smtpErr(t, err, 550, "5.1.1")
}

// STARTTLS: TLS 1.2 and later only, the Received header names the version
// and cipher, and the EHLO after TLS no longer offers STARTTLS.
func TestSTARTTLS(t *testing.T) {
	cert := selfSigned(t, "mx.zest.test")
	e := newEnvConfig(t, func(c *Config) {
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS10}
	})
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)

	clientTLS := &tls.Config{RootCAs: pool, ServerName: "mx.zest.test"}

	// SMTP with go-smtp's client.
	plain := e.smtpClient()
	if ok, _ := plain.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not advertised")
	}
	plain.Close()
	conn, err := net.Dial("tcp", e.smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := gosmtp.NewClientStartTLS(conn, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example.net"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS advertised again after TLS")
	}
	if _, err := send(t, c, "sender@example.net", []string{"alice@example.org"}, testMessage("tls-smtp")); err != nil {
		t.Fatal(err)
	}

	// LMTP by hand: go-smtp's LMTP client has no STARTTLS.
	r := greeted(t, e.lmtpAddr, "LHLO mta.example.org")
	r.send("STARTTLS")
	r.expect("220 ")
	tc := tls.Client(r.conn, clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	r.conn, r.r = tc, bufio.NewReader(tc)
	r.send("LHLO mta.example.org")
	r.expect("250 ")
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.send("DATA")
	r.expect("354 ")
	r.write("Subject: tls-lmtp\r\n\r\nsecret\r\n.\r\n")
	r.expect("250 2.0.0 <alice@example.org> ")

	msgs := e.inbox(e.alice)
	if len(msgs) != 2 {
		t.Fatalf("alice has %d messages", len(msgs))
	}
	for i, with := range []string{"ESMTPS", "LMTPS"} {
		_, received, _, _ := splitTrace(t, e.body(msgs[i]))
		want := regexp.MustCompile(` with ` + with + ` \(version=TLS1\.3 cipher=TLS_[A-Z0-9_]+\)\r\n`)
		if !want.MatchString(received) {
			t.Errorf("Received: %q does not match %s", received, want)
		}
	}

	// TLS 1.1 is refused though the given config allows it.
	conn, err = net.Dial("tcp", e.smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	old := clientTLS.Clone()
	old.MaxVersion = tls.VersionTLS11
	c, err = gosmtp.NewClientStartTLS(conn, old)
	if err == nil {
		// The handshake happens with the first command.
		err = c.Hello("client.example.net")
		c.Close()
	}
	if err == nil {
		t.Fatal("a TLS 1.1 handshake succeeded")
	}
}

// A client that says nothing for ReadTimeout is told so and disconnected.
func TestIdleTimeout(t *testing.T) {
	// Two seconds: the slow DATA below writes every 100 ms, and on a loaded
	// machine a shorter timeout was hit between two of its writes.
	e := newEnvConfig(t, func(c *Config) { c.ReadTimeout = 2 * time.Second })
	r := greeted(t, e.smtpAddr, "EHLO client.example.net")
	start := time.Now()
	r.expect("421 4.4.2 ")
	r.expectClose()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("disconnected after %v", d)
	}
	// Timeouts apply to each read: a slow DATA that keeps sending is not cut.
	r = greeted(t, e.lmtpAddr, "LHLO mta.example.org")
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.send("DATA")
	r.expect("354 ")
	start = time.Now()
	for i := 0; i < 25; i++ {
		r.write("line " + itoa(i) + "\r\n")
		time.Sleep(100 * time.Millisecond)
	}
	if time.Since(start) < 2*time.Second {
		t.Fatal("the DATA did not outlast ReadTimeout")
	}
	r.write(".\r\n")
	r.expect("250 ")
}

func TestConnectionLimits(t *testing.T) {
	e := newEnvConfig(t, func(c *Config) {
		c.MaxConnections = 3
		c.MaxConnectionsPerIP = 2
	})
	a := greeted(t, e.smtpAddr, "")
	greeted(t, e.smtpAddr, "")
	third := dialRaw(t, e.smtpAddr)
	third.expect("421 4.7.0 mx.zest.test Too many connections from your address")
	third.expectClose()
	// LMTP does not count per address, only in the total.
	greeted(t, e.lmtpAddr, "")
	fourth := dialRaw(t, e.lmtpAddr)
	fourth.expect("421 4.7.0 mx.zest.test Too many connections,")
	fourth.expectClose()
	// A closed connection frees its place.
	a.send("QUIT")
	a.expect("221 ")
	a.expectClose()
	waitFor(t, func() bool {
		r := dialRaw(t, e.smtpAddr)
		line, _ := r.reply()
		return strings.HasPrefix(line, "220 ")
	})
}

func TestIPKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7:25":                  "192.0.2.7",
		"[::ffff:192.0.2.7]:25":         "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:25":     "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:2525":   "2001:db8:1:2::/64",
		"[2001:db8:1:3:3:4:5:6]:25":     "2001:db8:1:3::/64",
		"[fe80::1%eth0]:25":             "fe80::/64",
		"[2001:db8::1]:25":              "2001:db8::/64",
		"[2001:db8:0:0:1::1]:25":        "2001:db8::/64",
		"[2001:db8:0:1::1]:25":          "2001:db8:0:1::/64",
		"[2001:db8:abcd:12:1:2:3:4]:25": "2001:db8:abcd:12::/64",
	} {
		ta, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := ipKey(ta); got != want {
			t.Errorf("ipKey(%s) = %q, want %q", addr, got, want)
		}
	}
	if got := ipKey(&net.UnixAddr{Name: "/run/zest/lmtp", Net: "unix"}); got != "" {
		t.Errorf("unix socket key %q", got)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// LMTP over a Unix socket: no address literal in the Received header and
// no per-address connection limit.
func TestLMTPUnixSocket(t *testing.T) {
	e := newEnvConfig(t, func(c *Config) { c.MaxConnectionsPerIP = 1 })
	path := filepath.Join(t.TempDir(), "lmtp.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	go e.srv.ServeLMTP(l)
	var clients []*gosmtp.Client
	for range 2 {
		conn, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		c := gosmtp.NewClientLMTP(conn)
		defer c.Close()
		if err := c.Hello("mta.example.org"); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	if _, err := sendLMTP(clients[1], "alice@example.org", testMessage("unix")); err != nil {
		t.Fatal(err)
	}
	_, received, _, _ := splitTrace(t, e.only(e.alice))
	if !strings.HasPrefix(received, "Received: from mta.example.org\r\n\tby mx.zest.test with LMTP\r\n") {
		t.Errorf("Received: %q", received)
	}
}

func sendLMTP(c *gosmtp.Client, rcpt string, msg []byte) (string, error) {
	if err := c.Mail("sender@example.net", nil); err != nil {
		return "", err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return "", err
	}
	w, err := c.Data()
	if err != nil {
		return "", err
	}
	w.Write(msg)
	resp, err := w.CloseWithLMTPResponse()
	if err != nil {
		return "", err
	}
	return resp[rcpt].StatusText, nil
}
