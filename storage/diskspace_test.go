package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDiskFullRefusesNewMail sets the reserve just below the free space, so
// the disk is "full" after a few megabytes: new mail is refused with
// ErrDiskFull, deleting still works, and what was stored stays intact.
func TestDiskFullRefusesNewMail(t *testing.T) {
	dir := t.TempDir()
	free, ok, err := freeBytes(dir)
	if err != nil || !ok {
		t.Skipf("cannot read free space here: %v", err)
	}
	s, err := Open(dir, Options{Password: cheapKDF, MinFreeBytes: free - 8<<20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	checkFillUntilFull(t, s, a)
	if err := s.CheckSpace(1 << 20); !errors.Is(err, ErrDiskFull) {
		t.Errorf("CheckSpace on a full disk: %v", err)
	}
	if _, err := s.Deliver(ctx, Incoming{Raw: testMessage(1)}, []Target{{Account: a.ID}}); err != nil && !errors.Is(err, ErrDiskFull) {
		t.Errorf("a small message on a nearly full disk: %v", err)
	}
}

// checkFillUntilFull delivers 1 MB messages until the store answers
// ErrDiskFull, then checks every stored message and that expunging works.
func checkFillUntilFull(t *testing.T, s *Store, a *Account) {
	t.Helper()
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n"), 16000)
	var stored []Stored
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("1 GB delivered without the disk filling up")
		}
		raw := append(fmt.Appendf(nil, "Subject: %d\r\n\r\n", i), body...)
		res, err := s.Deliver(ctx, Incoming{Raw: raw}, []Target{{Account: a.ID}})
		if errors.Is(err, ErrDiskFull) {
			t.Logf("refused after %d messages: %v", i, err)
			break
		}
		if err != nil {
			t.Fatalf("message %d: %v, want success or ErrDiskFull", i, err)
		}
		stored = append(stored, res[0])
	}
	if len(stored) == 0 {
		t.Fatal("the disk was full before the first message")
	}
	for i, st := range stored {
		m, err := s.Message(ctx, a.ID, st.MailboxID, st.UID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ReadBlob(ctx, m.Blob, 0, -1)
		if err != nil || !bytes.HasPrefix(got, fmt.Appendf(nil, "Subject: %d\r\n", i)) || !bytes.HasSuffix(got, body) {
			t.Fatalf("message %d damaged: %v", i, err)
		}
	}
	if _, err := s.Expunge(ctx, a.ID, stored[0].MailboxID, []UID{stored[0].UID}); err != nil {
		t.Errorf("expunge on a full disk: %v", err)
	}
}

// TestRealFullFileSystem fills a small tmpfs for real. Badger writes through
// memory-mapped files, where a full file system kills the process with
// SIGBUS; the reserve must stop writes before that. Needs root (mount).
func TestRealFullFileSystem(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", "-l", mnt).Run()
	dir := filepath.Join(mnt, "db")
	s, err := Open(dir, Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	a := mustAccount(t, s, "alice@example.org")
	checkFillUntilFull(t, s, a)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{Password: cheapKDF})
	if err != nil {
		t.Fatalf("reopen on a full disk: %v", err)
	}
	defer s.Close()
	inbox, err := s.MailboxByName(context.Background(), a.ID, "INBOX")
	if err != nil || inbox.Messages == 0 {
		t.Fatalf("after reopen: %+v %v", inbox, err)
	}
}
