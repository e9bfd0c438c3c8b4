package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"zest/bench/internal/harness"
)

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}

// startMemServer runs go-imap's in-memory IMAP server on 127.0.0.1 with the
// bench user and an empty INBOX, offering caps (and STARTTLS, with
// LOGINDISABLED before it, when tlsConfig is set).
func startMemServer(t *testing.T, caps imap.CapSet, tlsConfig *tls.Config) string {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(harness.BenchUser, harness.BenchPassword)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		TLSConfig:    tlsConfig,
		InsecureAuth: tlsConfig == nil,
		Logger:       quietLog{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// fill APPENDs n generated messages to INBOX, as LMTP delivery does for the
// real servers.
func fill(t *testing.T, addr string, n int) {
	t.Helper()
	c, _, err := dialIMAP(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	gen := harness.MessageGen{To: harness.BenchUser, Tag: "fill", Size: 2048, Spacing: dateSpacing, AttachEvery: 5}
	for i := range n {
		msg := crlf(gen.Message(i))
		cmd := c.Append("INBOX", int64(len(msg)), nil)
		if _, err := cmd.Write(msg); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// testWorld fills INBOX with n messages and returns the world of a run.
func testWorld(t *testing.T, addr string, n int) *world {
	t.Helper()
	fill(t, addr, n)
	uids, caps, err := inspect(addr, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("capabilities used: %s", caps)
	return &world{
		addr: addr, uids: uids, now: time.Now(), idleHold: 5 * time.Millisecond,
		gen: harness.MessageGen{To: harness.BenchUser, Tag: "test", Size: 2048},
	}
}

// checkRun checks a run against a correct server: no error, every op of the
// mix done, and INBOX back to its size.
func checkRun(t *testing.T, r *runResult, w *world) {
	t.Helper()
	if !r.ok() {
		t.Fatalf("run not ok: %d errors: %v", r.errors(), r.errs)
	}
	for k, o := range r.ops {
		if r.count(k) == 0 {
			t.Errorf("no %s in %d operations", o.name, r.total())
		}
		if r.percentile(k, 0.5) <= 0 || r.percentile(k, 0.99) < r.percentile(k, 0.5) {
			t.Errorf("%s: p50 %v p99 %v", o.name, r.percentile(k, 0.5), r.percentile(k, 0.99))
		}
	}
	if got, err := inboxSize(w.addr); err != nil || got != len(w.uids) {
		t.Fatalf("INBOX holds %d messages after the run (%v), want %d", got, err, len(w.uids))
	}
}

// TestRunLoad runs every op of the mix against go-imap's in-memory server.
// The weights are made equal so that even the rare ops come up in a short
// run (that server parses messages on every FETCH and SEARCH, and is slow
// under the race detector).
func TestRunLoad(t *testing.T) {
	addr := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}, nil)
	w := testWorld(t, addr, 60)
	even := slices.Clone(mix)
	for k := range even {
		even[k].weight = 1
	}
	ended := false
	r := runLoad(context.Background(), "mem", w, 4, 1500*time.Millisecond, even, runHooks{end: func() { ended = true }})
	if !ended {
		t.Error("atEnd not called")
	}
	checkRun(t, r, w)
	if r.elapsed < 1500*time.Millisecond || r.elapsed > 20*time.Second {
		t.Errorf("run of 1.5 s took %v", r.elapsed)
	}
}

// Without UIDPLUS the APPENDed message is found by its Message-ID and
// removed with STORE \Deleted and EXPUNGE.
func TestRunLoadWithoutUIDPLUS(t *testing.T) {
	addr := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}}, nil)
	w := testWorld(t, addr, 60)
	c, _, err := dialIMAP(addr)
	if err != nil {
		t.Fatal(err)
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		t.Fatal("the server offers UIDPLUS")
	}
	c.Close()
	only := []op{{"append-expunge", 1, "", (*session).appendExpunge}}
	r := runLoad(context.Background(), "mem", w, 3, 700*time.Millisecond, only, runHooks{})
	checkRun(t, r, w)
}

func TestRunLoadCountsErrors(t *testing.T) {
	addr := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}, nil)
	w := testWorld(t, addr, 20)
	calls := 0
	failing := func(s *session) (time.Duration, error) {
		return timed(func() error {
			_, err := s.c.Select("No such mailbox", nil).Wait()
			return err
		})
	}
	ops := []op{
		{"noop", 3, "NOOP", (*session).noop},
		{"bad-select", 1, `SELECT "No such mailbox"`, func(s *session) (time.Duration, error) {
			calls++
			return failing(s)
		}},
	}
	r := runLoad(context.Background(), "mem", w, 1, 500*time.Millisecond, ops, runHooks{})
	if r.ok() || r.failed[1] == 0 || r.failed[1] != calls || r.count(1) != 0 {
		t.Fatalf("failures not counted: failed %v, %d calls, ok %v", r.failed, calls, r.ok())
	}
	if r.failed[0] != 0 || r.count(0) == 0 {
		t.Fatalf("NOOPs after the reconnections: %d ok, %d failed", r.count(0), r.failed[0])
	}
	if len(r.errs) == 0 || !strings.HasPrefix(r.errs[0], "bad-select: ") || !strings.Contains(r.errs[0], "NO") {
		t.Fatalf("errors not reported: %q", r.errs)
	}
}

func TestRunLoadLoginFails(t *testing.T) {
	addr := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}}, nil)
	w := &world{addr: addr, uids: []imap.UID{1}} // no INBOX content: SELECT finds fewer messages
	r := runLoad(context.Background(), "mem", w, 2, 200*time.Millisecond, mix, runHooks{})
	if r.ok() || r.setupErrors != 2 || r.total() != 0 {
		t.Fatalf("setup errors %d, total %d, ok %v: %v", r.setupErrors, r.total(), r.ok(), r.errs)
	}
}

func TestRunLoadInterrupted(t *testing.T) {
	addr := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}, nil)
	w := testWorld(t, addr, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	runLoad(ctx, "mem", w, 2, time.Minute, mix, runHooks{})
	if d := time.Since(t0); d > 10*time.Second {
		t.Fatalf("an interrupted run took %v", d)
	}
}

// A server that refuses LOGIN in the clear (LOGINDISABLED) gets STARTTLS.
func TestSTARTTLS(t *testing.T) {
	addr := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}, selfSigned(t))
	c, usedTLS, err := dialIMAP(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !usedTLS {
		t.Fatal("logged in without STARTTLS")
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestProbeIMAP(t *testing.T) {
	addr := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}}, nil)
	if err := probeIMAP(addr, time.Second); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "220 not imap\r\n")
			c.Close()
		}
	}()
	defer ln.Close()
	if err := probeIMAP(ln.Addr().String(), 300*time.Millisecond); err == nil || !strings.Contains(err.Error(), "not an IMAP greeting") {
		t.Fatalf("SMTP greeting accepted: %v", err)
	}
	port, _ := harness.FreePort()
	if err := probeIMAP(fmt.Sprintf("127.0.0.1:%d", port), 300*time.Millisecond); err == nil {
		t.Fatal("closed port accepted")
	}
}

func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench.local"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"bench.local"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}
