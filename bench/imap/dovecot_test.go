package main

import (
	"context"
	"os"
	"testing"
	"time"

	"zest/bench/internal/harness"
)

// TestDovecot runs the whole setup and a short load against a private
// Dovecot, as `go run ./bench/imap -servers dovecot` does. It needs Debian's
// dovecot-imapd and dovecot-lmtpd, and skips (saying so) without them.
func TestDovecot(t *testing.T) {
	if _, err := os.Stat(harness.DefaultDovecot); err != nil {
		t.Skipf("SKIPPED: %s is missing (apt-get install dovecot-imapd dovecot-lmtpd); the load generator is tested against go-imap's server only", harness.DefaultDovecot)
	}
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: starts Dovecot")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Not t.TempDir: Dovecot's users must traverse every parent, and
	// t.TempDir's is private.
	tmp, err := os.MkdirTemp("", "zest-bench-imap-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	d, err := harness.StartDovecot(ctx, harness.DovecotOptions{
		Tmp: tmp, Protocols: []string{"imap", "lmtp"}, Generator: "bench/imap test", MaxClients: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.P.Stop(15 * time.Second); err != nil {
			t.Error(err)
		}
		if probs := harness.LogProblems(d.LogPath, 10); len(probs) > 0 {
			t.Errorf("dovecot.log errors: %q", probs)
		}
	}()

	const n = 120
	gen := harness.MessageGen{To: harness.BenchUser, Tag: "test", Size: 2048, Spacing: dateSpacing, AttachEvery: attachEvery}
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = gen.Message(i)
	}
	if err := deliverAll(ctx, d.Addr("lmtp"), msgs, 3); err != nil {
		t.Fatal(err)
	}
	s := &server{name: "dovecot", dove: d, p: d.P, imapAddr: d.Addr("imap"), lmtpAddr: d.Addr("lmtp")}
	s.uids, s.caps, err = inspect(s.imapAddr, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("capabilities used: %s", s.caps)

	sm := startSampler(s, 50*time.Millisecond)
	r := runLoad(ctx, "dovecot", s.world(2048, 20*time.Millisecond, "test"), 3, 2*time.Second, mix, runHooks{})
	peak, readings := sm.finish()
	if !r.ok() {
		t.Fatalf("run not ok: %d errors: %v", r.errors(), r.errs)
	}
	if peak.tree.Procs < 4 || peak.tree.RSSKB <= 0 || readings == 0 {
		t.Errorf("memory peak %+v from %d readings: want the master, its helpers and 3 imap processes", peak.tree, readings)
	}
	t.Logf("%d operations in %v, %.0f ops/s; peak %s", r.total(), r.elapsed, r.totalRate(), peak.tree)
	if got, err := inboxSize(s.imapAddr); err != nil || got != n {
		t.Fatalf("INBOX holds %d messages after the run (%v), want %d", got, err, n)
	}
	if got, err := harness.CountMaildir(d.Maildir); err != nil || got != n {
		t.Fatalf("maildir holds %d files (%v), want %d", got, err, n)
	}
}
