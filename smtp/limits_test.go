package smtp

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"zest/storage"
)

// fullDisk is a store whose disk can be made full on demand.
type fullDisk struct {
	*storage.Store
	full atomic.Bool
}

func (f *fullDisk) CheckSpace(need int64) error {
	if f.full.Load() {
		return fmt.Errorf("test: %w", storage.ErrDiskFull)
	}
	return f.Store.CheckSpace(need)
}

func (f *fullDisk) Deliver(ctx context.Context, in storage.Incoming, targets []storage.Target) ([]storage.Stored, error) {
	if f.full.Load() {
		return nil, fmt.Errorf("deliver: %w", storage.ErrDiskFull)
	}
	return f.Store.Deliver(ctx, in, targets)
}

// TestDiskFull: a full disk is a temporary 452 4.3.1 at MAIL FROM (before
// the client sends the message) and at the end of DATA, in both roles, and
// the server goes on working once there is room again.
//
// spec: SV-25 — a 2xx only once the message is stored.
func TestDiskFull(t *testing.T) {
	var disk *fullDisk
	e := newEnvWith(t, envOptions{wrap: func(st *storage.Store) mailStore {
		disk = &fullDisk{Store: st}
		return disk
	}})
	for _, addr := range []string{e.smtpAddr, e.lmtpAddr} {
		hello := "EHLO"
		if addr == e.lmtpAddr {
			hello = "LHLO"
		}
		r := greeted(t, addr, hello+" client.example.net")
		disk.full.Store(true)
		r.send("MAIL FROM:<a@example.net>")
		r.expect("452 4.3.1")
		// Room appears, the transaction starts, and the disk fills during DATA.
		disk.full.Store(false)
		r.send("MAIL FROM:<a@example.net>")
		r.expect("250")
		r.send("RCPT TO:<alice@example.org>")
		r.expect("250")
		r.send("DATA")
		r.expect("354")
		disk.full.Store(true)
		r.write("Subject: x\r\n\r\nbody\r\n.\r\n")
		r.expect("452 4.3.1")
		disk.full.Store(false)
		r.send("QUIT")
		r.expect("221")
	}
	if n := len(e.inbox(e.alice)); n != 0 {
		t.Errorf("%d messages stored while the disk was full", n)
	}
	if _, err := send(t, e.smtpClient(), "a@example.net", []string{"alice@example.org"}, testMessage("after")); err != nil {
		t.Errorf("delivery once there is room: %v", err)
	}
}

// TestMemoryBudget: messages held in memory together never exceed the
// budget; a message that cannot get room in time is refused with a
// temporary error, and its budget is returned for the next one.
func TestMemoryBudget(t *testing.T) {
	e := newEnvConfig(t, func(c *Config) { c.MaxInflightBytes = budgetStep })
	e.srv.budgetWait = 300 * time.Millisecond
	big := append(testMessage("big"), bytes.Repeat([]byte("0123456789012345678901234567890123456789012345678901234567890123456789\r\n"), 3*budgetStep/72)...)
	_, err := send(t, e.smtpClient(), "a@example.net", []string{"alice@example.org"}, big)
	smtpErr(t, err, 451, "4.3.2")
	if _, err := send(t, e.smtpClient(), "a@example.net", []string{"alice@example.org"}, testMessage("small")); err != nil {
		t.Fatalf("a small message after the refusal: %v", err)
	}
	if n := len(e.inbox(e.alice)); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}
