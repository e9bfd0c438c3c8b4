package managesieve

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// pipeSession serves one session over an in-memory pipe, whose peer is
// not a loopback address: passwords need STARTTLS there.
func pipeSession(t *testing.T, e *testEnv) *rawConn {
	t.Helper()
	client, server := net.Pipe()
	t.Cleanup(func() { client.Close() })
	c := newConn(e.srv, server)
	done := make(chan struct{})
	go func() {
		c.Serve()
		close(done)
	}()
	t.Cleanup(func() {
		client.Close()
		<-done
	})
	return &rawConn{t: t, nc: client, br: bufio.NewReader(client)}
}

const alicePlain = "AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlIHBhc3N3b3Jk"

// spec: SV-70, SV-72
func TestStartTLSBeforePlaintextLogin(t *testing.T) {
	e := newTestEnv(t)
	r := pipeSession(t, e)
	greeting := r.untilOK()
	if !slices.Contains(greeting, `"SASL" ""`) || !slices.Contains(greeting, `"STARTTLS"`) {
		t.Fatalf("greeting without TLS = %q, want an empty SASL list and STARTTLS", greeting)
	}
	r.send(`AUTHENTICATE "PLAIN" "` + alicePlain + "\"\r\n")
	if got := r.line(); got != `NO (ENCRYPT-NEEDED) "authentication needs TLS: use STARTTLS"` {
		t.Fatalf("AUTHENTICATE in the clear = %q", got)
	}
	r.send("STARTTLS\r\n")
	if got := r.line(); got != `OK "begin TLS negotiation"` {
		t.Fatalf("STARTTLS = %q", got)
	}
	tc := tls.Client(r.nc, &tls.Config{InsecureSkipVerify: true})
	r.nc, r.br = tc, bufio.NewReader(tc)
	caps := r.untilOK()
	if slices.Contains(caps, `"STARTTLS"`) || !slices.Contains(caps, `"SASL" "PLAIN"`) || caps[len(caps)-1] != "OK" {
		t.Fatalf("capabilities after STARTTLS = %q", caps)
	}
	r.send("STARTTLS\r\n")
	if got := r.line(); got != `NO "STARTTLS is not available"` {
		t.Fatalf("second STARTTLS = %q", got)
	}
	r.send(`AUTHENTICATE "PLAIN" "` + alicePlain + "\"\r\n")
	if got := r.line(); got != "OK" {
		t.Fatalf("AUTHENTICATE over TLS = %q", got)
	}
	r.send(`PUTSCRIPT "s" "keep;"` + "\r\nLISTSCRIPTS\r\n")
	if got := strings.Join(append(r.untilOK(), r.untilOK()...), "|"); got != `OK|"s"|OK` {
		t.Fatalf("PUTSCRIPT, LISTSCRIPTS over TLS = %q", got)
	}
}

// spec: SV-84
func TestShutdownSaysBye(t *testing.T) {
	e := newTestEnv(t)
	r := dialRaw(t, e.addr)
	r.untilOK()
	r.send(`AUTHENTICATE "PLAIN" "` + alicePlain + "\"\r\n")
	r.untilOK()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if got := r.line(); got != `BYE (TRYLATER) "server shutting down"` {
		t.Fatalf("at shutdown = %q", got)
	}
	if _, err := r.br.ReadByte(); err != io.EOF {
		t.Fatalf("after BYE: %v, want EOF", err)
	}
	if _, err := net.Dial("tcp", e.addr); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
}

// spec: SV-84
func TestLoginTimeout(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.LoginTimeout = 100 * time.Millisecond })
	r := dialRaw(t, e.addr)
	r.untilOK()
	if got := r.line(); got != `BYE "idle for too long"` {
		t.Fatalf("after the login timeout = %q", got)
	}
	if d := e.srv.cfg.withDefaults().IdleTimeout; d < 30*time.Minute {
		t.Fatalf("default idle timeout %v, RFC 5804 asks for 30 minutes", d)
	}
}

// Ten wrong passwords from one address make it wait (TRYLATER), even with
// the right one.
func TestLoginFailuresAreLimited(t *testing.T) {
	e := newTestEnv(t)
	r := dialRaw(t, e.addr)
	r.untilOK()
	for range storage.MaxLoginFailures {
		r.send(`AUTHENTICATE "PLAIN" "AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n"` + "\r\n")
		if got := r.line(); got != `NO "authentication failed"` {
			t.Fatalf("wrong password = %q", got)
		}
	}
	r.send(`AUTHENTICATE "PLAIN" "` + alicePlain + "\"\r\n")
	if got := r.line(); !strings.HasPrefix(got, `NO (TRYLATER) "too many failed logins`) {
		t.Fatalf("after %d failures = %q", storage.MaxLoginFailures, got)
	}
}
