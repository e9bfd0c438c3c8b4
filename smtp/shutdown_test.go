package smtp

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// startSlowData opens a transaction and sends half a message.
func startSlowData(t *testing.T, addr, hello string) *raw {
	t.Helper()
	r := greeted(t, addr, hello)
	r.send("MAIL FROM:<sender@example.net>")
	r.expect("250 ")
	r.send("RCPT TO:<alice@example.org>")
	r.expect("250 ")
	r.send("DATA")
	r.expect("354 ")
	r.write("Subject: slow\r\n\r\nfirst half\r\n")
	return r
}

// Shutdown lets a DATA in progress finish: it is stored and answered 250,
// then the connection is told 421 4.3.2 and closed. Idle sessions are told
// at once, and no new connection is accepted.
func TestShutdownDuringSlowData(t *testing.T) {
	e := newEnv(t)
	slow := startSlowData(t, e.smtpAddr, "EHLO client.example.net")
	slowLMTP := startSlowData(t, e.lmtpAddr, "LHLO mta.example.org")
	idle := greeted(t, e.smtpAddr, "EHLO idle.example.net")
	fresh := dialRaw(t, e.lmtpAddr)
	fresh.expect("220 ")

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- e.srv.Shutdown(ctx)
	}()

	idle.expect("421 4.3.2 mx.zest.test Service shutting down")
	idle.expectClose()
	fresh.expect("421 4.3.2 ")
	fresh.expectClose()
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", e.smtpAddr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})

	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v with a DATA in progress", err)
	case <-time.After(200 * time.Millisecond):
	}
	for _, r := range []*raw{slow, slowLMTP} {
		r.write("second half\r\n.\r\n")
		r.expect("250 2.0.0 ")
		r.expect("421 4.3.2 ")
		r.expectClose()
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for range 2 {
		if err := <-e.served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	}
	msgs := e.inbox(e.alice)
	if len(msgs) != 2 {
		t.Fatalf("alice has %d messages, want 2", len(msgs))
	}
	_, _, _, body := splitTrace(t, e.body(msgs[0]))
	if string(body) != "Subject: slow\r\n\r\nfirst half\r\nsecond half\r\n" {
		t.Errorf("stored %q", body)
	}
	if err := e.srv.Shutdown(context.Background()); !errors.Is(err, ErrServerClosed) {
		t.Errorf("second Shutdown: %v", err)
	}
	if err := e.srv.ServeSMTP(mustListen(t)); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown: %v", err)
	}
}

// A command in a session that is between transactions while the server
// shuts down gets 421 4.3.2; a transaction already open may go on.
func TestShutdownAnswersNewCommands(t *testing.T) {
	e := newEnv(t)
	open := greeted(t, e.smtpAddr, "EHLO client.example.net")
	open.send("MAIL FROM:<sender@example.net>")
	open.expect("250 ")
	go e.srv.Shutdown(context.Background())
	waitFor(t, e.srv.conns.isShuttingDown)
	open.send("RCPT TO:<alice@example.org>")
	open.expect("250 ")
	open.send("RSET")
	// RSET ends the transaction: the server says goodbye.
	open.expect("421 4.3.2 ")
	open.expectClose()

	// A session whose goodbye races its next command still only gets 421.
	for _, cmd := range []string{"MAIL FROM:<a@example.net>", "EHLO again.example.net"} {
		s := newEnv(t)
		r := greeted(t, s.smtpAddr, "EHLO client.example.net")
		s.srv.conns.mu.Lock()
		s.srv.conns.shutting = true // as Shutdown does, without the goodbye
		s.srv.conns.mu.Unlock()
		r.send(cmd)
		r.expect("421 4.3.2 ")
		r.expectClose()
	}
}

// When Shutdown's deadline comes first, an unfinished DATA is cut: the
// connection closes, nothing is acknowledged and nothing is stored.
func TestShutdownDeadlineCutsUnfinishedData(t *testing.T) {
	e := newEnv(t)
	slow := startSlowData(t, e.smtpAddr, "EHLO client.example.net")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := e.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	line, err := slow.reply()
	if err == nil || strings.HasPrefix(line, "250") {
		t.Fatalf("got %q, %v; want the connection closed", line, err)
	}
	// Sending the rest now changes nothing.
	slow.conn.Write([]byte("second half\r\n.\r\n"))
	time.Sleep(100 * time.Millisecond)
	if n := len(e.inbox(e.alice)); n != 0 {
		t.Fatalf("alice has %d messages, want 0", n)
	}
}

func mustListen(t *testing.T) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
