package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zest/storage"
)

// zest restore loads a backup into an empty data directory, and refuses
// one that holds a store.
func TestRestoreCommand(t *testing.T) {
	src := t.TempDir()
	c := []string{"--config", writeServerConfig(t, src, map[string]string{"lmtp": freeAddr(t)})}
	runCLI(t, "a long password\n", append(c, "user", "add", "alice@example.org", "--password-stdin")...)
	st, err := storage.Open(filepath.Join(src, "data", "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "zest-backup.badger")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Backup(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st.Close()

	dst := t.TempDir()
	d := []string{"--config", writeServerConfig(t, dst, map[string]string{"lmtp": freeAddr(t)})}
	if out := runCLI(t, "", append(d, "restore", backup)...); !strings.Contains(out, "restored") {
		t.Errorf("restore: %q", out)
	}
	if out := runCLI(t, "", append(d, "user", "list")...); !strings.Contains(out, "alice@example.org") {
		t.Errorf("user list after restore:\n%s", out)
	}
	code, _, stderr := runCLIStatus(append(d, "restore", backup), "")
	if code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("restore over a store: exit %d, %s", code, stderr)
	}
	if code, _, _ := runCLIStatus(append(d, "restore"), ""); code != 2 {
		t.Errorf("restore without a file: exit %d", code)
	}
}
