package imap

import (
	"bufio"
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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"zest/storage"
)

// cheapKDF keeps account creation fast in tests.
var cheapKDF = storage.PasswordParams{Time: 1, Memory: 64, Threads: 1}

// testEnv is a store with one account (alice@example.org, password
// "alice password") and an IMAP server on a loopback port.
type testEnv struct {
	t     testing.TB
	store *storage.Store
	srv   *Server
	addr  string
	alice *storage.Account
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestEnv(t testing.TB) *testEnv { return newTestEnvConfig(t, nil) }

func newTestEnvConfig(t testing.TB, config func(*Config)) *testEnv {
	t.Helper()
	st, err := storage.Open(t.TempDir(), storage.Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, store: st, logs: &syncBuffer{}}
	if e.alice, err = st.CreateAccount(context.Background(), "alice@example.org", "alice password"); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Hostname: "imap.zest.test", TLS: testTLSConfig(t), Logger: slog.New(slog.NewTextHandler(e.logs, nil))}
	if config != nil {
		config(&cfg)
	}
	e.srv = NewServer(st, cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = l.Addr().String()
	go e.srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.srv.Shutdown(ctx)
		st.Close()
	})
	return e
}

// deliver stores raw messages in alice's mailbox (INBOX when "") as SMTP
// would, and as if another session had already seen them, so they are not
// \Recent in the test's sessions (deliverFresh leaves them recent).
func (e *testEnv) deliver(mailbox string, raws ...[]byte) []storage.Stored {
	e.t.Helper()
	out := e.deliverFresh(mailbox, raws...)
	for _, st := range out {
		e.srv.recent.claim(st.MailboxID, st.UID, st.UID)
	}
	return out
}

// deliverFresh stores raw messages that no session has seen yet.
func (e *testEnv) deliverFresh(mailbox string, raws ...[]byte) []storage.Stored {
	e.t.Helper()
	var out []storage.Stored
	for _, raw := range raws {
		res, err := e.store.Deliver(context.Background(), storage.Incoming{Raw: raw}, []storage.Target{{Account: e.alice.ID, Mailbox: mailbox}})
		if err != nil || res[0].Err != nil {
			e.t.Fatalf("deliver: %v %v", err, res)
		}
		out = append(out, res[0])
	}
	return out
}

// message builds a small RFC 5322 message.
func message(i int) []byte {
	return fmt.Appendf(nil, "From: Sender %d <sender%d@example.net>\r\nTo: alice@example.org\r\nSubject: message %d\r\nDate: Mon, 2 Nov 2026 10:%02d:00 +0000\r\nMessage-ID: <%d@example.net>\r\n\r\nBody of message %d.\r\n", i, i, i, i%60, i, i)
}

// client logs in with go-imap's client.
func (e *testEnv) client() *imapclient.Client {
	e.t.Helper()
	c, err := imapclient.DialInsecure(e.addr, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	if err := c.Login("alice@example.org", "alice password").Wait(); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// rawConn is a scripted client: exact lines out, responses read back.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

// raw connects and reads the greeting.
func (e *testEnv) raw() *rawConn {
	e.t.Helper()
	nc, err := net.Dial("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { nc.Close() })
	r := &rawConn{t: e.t, nc: nc, r: bufio.NewReader(nc)}
	r.expect("* OK ")
	return r
}

// rawLoggedIn connects and logs in as alice.
func (e *testEnv) rawLoggedIn() *rawConn {
	r := e.raw()
	r.send(`L LOGIN alice@example.org "alice password"`)
	r.untilTagged("L OK")
	return r
}

func (r *rawConn) send(line string) {
	r.t.Helper()
	r.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(r.nc, line+"\r\n"); err != nil {
		r.t.Fatalf("send %q: %v", line, err)
	}
}

func (r *rawConn) write(s string) {
	r.t.Helper()
	if _, err := io.WriteString(r.nc, s); err != nil {
		r.t.Fatal(err)
	}
}

// line reads one response line (a literal's bytes stay in the stream).
func (r *rawConn) line() string {
	r.t.Helper()
	r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := r.r.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read: %v (so far %q)", err, s)
	}
	return strings.TrimRight(s, "\r\n")
}

// expect reads one line and checks its prefix.
func (r *rawConn) expect(prefix string) string {
	r.t.Helper()
	l := r.line()
	if !strings.HasPrefix(l, prefix) {
		r.t.Fatalf("got %q, want a line starting %q", l, prefix)
	}
	return l
}

// untilTagged reads lines until one starts with tagPrefix (e.g. "A1 OK"),
// returning the untagged lines before it; any other tagged line fails.
func (r *rawConn) untilTagged(tagPrefix string) []string {
	r.t.Helper()
	tag := strings.Fields(tagPrefix)[0]
	var lines []string
	for {
		l := r.line()
		if strings.HasPrefix(l, tag+" ") {
			if !strings.HasPrefix(l, tagPrefix) {
				r.t.Fatalf("got %q, want %q (after %q)", l, tagPrefix, lines)
			}
			return lines
		}
		lines = append(lines, l)
	}
}

func testTLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "imap.zest.test"},
		DNSNames: []string{"imap.zest.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}

type storageUID = storage.UID

const flagsAdd = storage.FlagsAdd
const unconditional = storage.Unconditional
