package managesieve

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// Test limits: small enough to reach in a transcript.
const (
	testMaxScripts = 3
	testMaxSize    = 1000
)

// checkDouble stands in for the Sieve compiler: it rejects every line with
// the word "invalid" (at that word's line and column) and warns about the
// word "deprecated".
func checkDouble(_ context.Context, _ storage.AccountID, script []byte) error {
	var errs []string
	warn := false
	for i, line := range strings.Split(string(script), "\n") {
		if col := strings.Index(line, "invalid"); col >= 0 {
			errs = append(errs, fmt.Sprintf("%d:%d: unknown command \"invalid\"", i+1, col+1))
		}
		if strings.Contains(line, "deprecated") {
			warn = true
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	if warn {
		return warning("1:1: this script uses a deprecated extension")
	}
	return nil
}

type warning string

func (w warning) Error() string { return string(w) }
func (w warning) Warning() bool { return true }

type testEnv struct {
	store *storage.Store
	srv   *Server
	addr  string
	logs  *lockedBuffer
	tls   *tls.Config
	alice *storage.Account
}

func testConfig(t testing.TB, logs io.Writer) Config {
	return Config{
		Logger:        slog.New(slog.NewTextHandler(logs, nil)),
		TLS:           testTLSConfig(t),
		Check:         checkDouble,
		Capabilities:  func() []string { return []string{"fileinto", "vacation", "envelope"} },
		NotifyMethods: []string{"mailto"},
		MaxRedirects:  4,
		MaxLiteral:    2000,
	}
}

func newTestStore(t testing.TB) (*storage.Store, *storage.Account) {
	t.Helper()
	st, err := storage.Open(t.TempDir(), storage.Options{
		Password:        storage.PasswordParams{Time: 1, Memory: 64, Threads: 1},
		MaxSieveScripts: testMaxScripts, MaxSieveScriptSize: testMaxSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := st.CreateAccount(context.Background(), "alice@example.org", "alice password")
	if err != nil {
		t.Fatal(err)
	}
	return st, a
}

// newTestEnv starts a server with the account alice@example.org ("alice
// password") on a loopback port.
func newTestEnv(t testing.TB, options ...func(*Config)) *testEnv {
	t.Helper()
	e := &testEnv{logs: &lockedBuffer{}}
	e.store, e.alice = newTestStore(t)
	cfg := testConfig(t, e.logs)
	e.tls = cfg.TLS
	for _, o := range options {
		o(&cfg)
	}
	e.srv = NewServer(e.store, cfg)
	e.store.LoginLimiter().SetDelayUnit(time.Millisecond)
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
	})
	return e
}

func testTLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sieve.zest.test"},
		DNSNames: []string{"sieve.zest.test", "localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}

// rawConn is a scripted client.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (r *rawConn) send(s string) {
	r.t.Helper()
	r.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(r.nc, s); err != nil {
		r.t.Fatalf("send %q: %v", s, err)
	}
}

// line reads one line without its CRLF.
func (r *rawConn) line() string {
	r.t.Helper()
	r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	l, err := r.br.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read: %v (after %q)", err, l)
	}
	if !strings.HasSuffix(l, "\r\n") {
		r.t.Fatalf("line %q does not end in CRLF", l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// untilOK reads lines up to and including the first OK, NO or BYE line.
func (r *rawConn) untilOK() []string {
	r.t.Helper()
	var lines []string
	for {
		l := r.line()
		lines = append(lines, l)
		if l == "OK" || l == "NO" || strings.HasPrefix(l, "OK ") || strings.HasPrefix(l, "NO ") || strings.HasPrefix(l, "BYE ") {
			return lines
		}
	}
}
