package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"zest/storage"
)

// cheapKDF keeps account creation fast in tests.
var cheapKDF = storage.PasswordParams{Time: 1, Memory: 64, Threads: 1}

// env is a store with two accounts and a server listening for SMTP and
// LMTP on loopback ports.
type env struct {
	t        testing.TB
	store    *storage.Store
	srv      *Server
	smtpAddr string
	lmtpAddr string
	logs     *logBuffer
	served   chan error // what each Serve returned
	alice    *storage.Account
	bob      *storage.Account
}

type envOptions struct {
	config func(*Config)
	// wrap replaces the store the server sees (to inject faults).
	wrap func(*storage.Store) mailStore
	// filter builds the server's deposit filter over the env's store.
	filter func(*storage.Store) DepositFilter
}

func newEnv(t testing.TB) *env { return newEnvWith(t, envOptions{}) }

func newEnvConfig(t testing.TB, config func(*Config)) *env {
	return newEnvWith(t, envOptions{config: config})
}

func newEnvWith(t testing.TB, o envOptions) *env {
	t.Helper()
	st, err := storage.Open(t.TempDir(), storage.Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, logs: &logBuffer{}, served: make(chan error, 2)}
	ctx := context.Background()
	if e.alice, err = st.CreateAccount(ctx, "alice@example.org", "alice password"); err != nil {
		t.Fatal(err)
	}
	if e.bob, err = st.CreateAccount(ctx, "bob@example.org", "bob password"); err != nil {
		t.Fatal(err)
	}
	if err := st.AddAlias(ctx, "team@example.org", "alice@example.org", "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := st.AddAlias(ctx, "postmaster@example.org", "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Hostname: "mx.zest.test",
		Logger:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if o.config != nil {
		o.config(&cfg)
	}
	if o.filter != nil {
		cfg.Filter = o.filter(st)
	}
	var ms mailStore = st
	if o.wrap != nil {
		ms = o.wrap(st)
	}
	e.srv = newServer(ms, cfg)
	e.smtpAddr = e.serve(e.srv.ServeSMTP)
	e.lmtpAddr = e.serve(e.srv.ServeLMTP)
	t.Cleanup(func() {
		e.srv.Close()
		st.Close()
	})
	return e
}

func (e *env) serve(serve func(net.Listener) error) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go func() { e.served <- serve(l) }()
	return l.Addr().String()
}

// smtpClient returns a go-smtp client that has said EHLO to the MX role.
func (e *env) smtpClient() *gosmtp.Client {
	e.t.Helper()
	c, err := gosmtp.Dial(e.smtpAddr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.example.net"); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// lmtpClient returns a go-smtp LMTP client that has said LHLO.
func (e *env) lmtpClient() *gosmtp.Client {
	e.t.Helper()
	conn, err := net.Dial("tcp", e.lmtpAddr)
	if err != nil {
		e.t.Fatal(err)
	}
	c := gosmtp.NewClientLMTP(conn)
	e.t.Cleanup(func() { c.Close() })
	if err := c.Hello("mta.example.org"); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// inbox returns the messages in an account's INBOX, in UID order.
func (e *env) inbox(a *storage.Account) []*storage.Message {
	e.t.Helper()
	ctx := context.Background()
	mb, err := e.store.MailboxByName(ctx, a.ID, "INBOX")
	if err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.store.Messages(ctx, a.ID, mb.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs
}

// body returns a stored message's bytes.
func (e *env) body(m *storage.Message) []byte {
	e.t.Helper()
	b, err := e.store.ReadBlob(context.Background(), m.Blob, 0, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// only returns the one message in a's INBOX.
func (e *env) only(a *storage.Account) []byte {
	e.t.Helper()
	msgs := e.inbox(a)
	if len(msgs) != 1 {
		e.t.Fatalf("%s has %d messages in INBOX, want 1", a.Address, len(msgs))
	}
	return e.body(msgs[0])
}

// traceRE matches the headers zest prepends; group 1 is the Received
// field, 2 the id.
var traceRE = regexp.MustCompile(`^Return-Path: <[^>\r\n]*>\r\n(?:Delivered-To: [^\r\n]+\r\n)?(Received: from [^\r\n]+\r\n\tby [^\r\n]+\r\n\tid ([a-z2-7]+)\r\n\t[^\r\n]*; [^\r\n]+\r\n)`)

// splitTrace separates the prepended headers from the message as sent.
func splitTrace(t testing.TB, stored []byte) (trace, received, id string, msg []byte) {
	t.Helper()
	m := traceRE.FindSubmatchIndex(stored)
	if m == nil {
		t.Fatalf("stored message does not start with the trace headers:\n%q", stored[:min(len(stored), 400)])
	}
	return string(stored[:m[1]]), string(stored[m[2]:m[3]]), string(stored[m[4]:m[5]]), stored[m[1]:]
}

// logBuffer collects the server's log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// raw is a client that speaks the protocol by hand.
type raw struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *raw {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &raw{t: t, conn: c, r: bufio.NewReader(c)}
}

// greeted dials and reads the 220 greeting, then sends hello if not "".
func greeted(t testing.TB, addr, hello string) *raw {
	t.Helper()
	r := dialRaw(t, addr)
	r.expect("220 ")
	if hello != "" {
		r.send(hello)
		r.expect("250 ")
	}
	return r
}

func (r *raw) send(line string) {
	r.t.Helper()
	r.write(line + "\r\n")
}

func (r *raw) write(s string) {
	r.t.Helper()
	r.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(r.conn, s); err != nil {
		r.t.Fatalf("write %q: %v", s, err)
	}
}

// reply reads one whole reply and returns its last line; "" means the
// connection closed.
func (r *raw) reply() (string, error) {
	r.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := r.r.ReadString('\n')
		if err != nil {
			if line != "" {
				return line, fmt.Errorf("partial line %q: %w", line, err)
			}
			return "", err
		}
		if !strings.HasSuffix(line, "\r\n") {
			return line, fmt.Errorf("reply line %q does not end in CRLF", line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		if len(line) < 4 || line[3] != '-' && line[3] != ' ' {
			return line, fmt.Errorf("malformed reply line %q", line)
		}
		if line[3] == ' ' {
			return line, nil
		}
	}
}

// expect reads a reply and checks it begins with prefix.
func (r *raw) expect(prefix string) string {
	r.t.Helper()
	line, err := r.reply()
	if err != nil {
		r.t.Fatalf("want reply %q: %v", prefix, err)
	}
	if !strings.HasPrefix(line, prefix) {
		r.t.Fatalf("got reply %q, want %q…", line, prefix)
	}
	return line
}

// expectClose checks that the server has closed the connection.
func (r *raw) expectClose() {
	r.t.Helper()
	line, err := r.reply()
	if err == nil {
		r.t.Fatalf("got reply %q, want the connection closed", line)
	}
}

// selfSigned returns a TLS certificate for host, made for the test.
func selfSigned(t testing.TB, host string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// testMessage is a small CRLF message; the line that starts with a dot
// checks dot-stuffing.
func testMessage(subject string) []byte {
	return []byte("From: Sender <sender@example.net>\r\n" +
		"To: alice@example.org\r\n" +
		"Subject: " + subject + "\r\n" +
		"Message-ID: <" + subject + "@example.net>\r\n" +
		"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n" +
		"\r\n" +
		"Hello.\r\n" +
		".A line that starts with a dot.\r\n" +
		"Bye.\r\n")
}

// send delivers msg through c and returns the DATA reply.
func send(t testing.TB, c *gosmtp.Client, from string, to []string, msg []byte) (string, error) {
	t.Helper()
	if err := c.Mail(from, nil); err != nil {
		return "", err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return "", err
		}
	}
	w, err := c.Data()
	if err != nil {
		return "", err
	}
	if _, err := w.Write(msg); err != nil {
		return "", err
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", err
	}
	return resp.StatusText, nil
}

// smtpErr asserts err is an SMTP reply with the given codes.
func smtpErr(t testing.TB, err error, code int, enhanced string) {
	t.Helper()
	se, ok := err.(*gosmtp.SMTPError)
	if !ok {
		t.Fatalf("got error %v (%T), want SMTP reply %d %s", err, err, code, enhanced)
	}
	got := fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
	if se.Code != code || got != enhanced {
		t.Fatalf("got reply %d %s %q, want %d %s", se.Code, got, se.Message, code, enhanced)
	}
}
