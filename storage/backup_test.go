package storage

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A backup of a store with accounts, aliases and messages, restored into
// a new directory, opens as the same store: logins, aliases and every
// message with its body. Restoring into a directory that is not empty is
// refused.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	alice := mustAccount(t, s, "alice@example.org")
	if err := s.AddAlias(ctx, "@example.org", "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("a long line in a big body\r\n"), 4000) // in the value log
	for i := range 20 {
		deliverOne(t, s, alice.ID, "INBOX", testMessage(i))
	}
	deliverOne(t, s, alice.ID, "Archive", append(testMessage(99), big...))
	var buf bytes.Buffer
	if err := s.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	// Writes after the backup are not in it.
	deliverOne(t, s, alice.ID, "INBOX", testMessage(100))

	dir := filepath.Join(t.TempDir(), "restored")
	if err := Restore(dir, bytes.NewReader(buf.Bytes()), Options{}); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir, Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Authenticate(ctx, "alice@example.org", "secret alice@example.org"); err != nil {
		t.Errorf("login in the restored store: %v", err)
	}
	if al, err := r.Aliases(ctx); err != nil || len(al) != 1 || al[0].From != "@example.org" {
		t.Errorf("aliases in the restored store: %v %v", al, err)
	}
	counts := map[string]uint32{}
	boxes, err := r.Mailboxes(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, mb := range boxes {
		counts[mb.Name] = mb.Messages
	}
	if counts["INBOX"] != 20 || counts["Archive"] != 1 {
		t.Errorf("restored counts: %v, want 20 in INBOX and 1 in Archive", counts)
	}
	for _, mb := range boxes {
		msgs, err := r.Messages(ctx, alice.ID, mb.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			body, err := r.ReadBlob(ctx, m.Blob, 0, m.Size)
			if err != nil {
				t.Fatalf("%s uid %d: %v", mb.Name, m.UID, err)
			}
			if !strings.Contains(string(body), "Message-ID: <") || (mb.Name == "Archive" && !bytes.HasSuffix(body, big)) {
				t.Errorf("%s uid %d: body %.80q", mb.Name, m.UID, body)
			}
		}
	}

	if err := Restore(dir, bytes.NewReader(buf.Bytes()), Options{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a used directory: %v", err)
	}
	s.Close()
	if err := s.Backup(ctx, &bytes.Buffer{}); !errors.Is(err, ErrClosed) {
		t.Errorf("backup of a closed store: %v", err)
	}
}

// DiskUsage counts the store's files on disk and grows with the mail.
func TestDiskUsage(t *testing.T) {
	s := newTestStore(t)
	a := mustAccount(t, s, "alice@example.org")
	before, err := s.DiskUsage()
	if err != nil || before <= 0 {
		t.Fatalf("disk usage of a new store: %d %v", before, err)
	}
	big := bytes.Repeat([]byte("x"), 1<<20)
	for i := range 4 {
		deliverOne(t, s, a.ID, "INBOX", append(testMessage(i), big...))
	}
	after, err := s.DiskUsage()
	if err != nil || after < before+3<<20 {
		t.Errorf("disk usage after 4 MiB of mail: %d, before %d (%v)", after, before, err)
	}
}
