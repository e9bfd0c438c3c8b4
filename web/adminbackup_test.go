package web

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"zest/storage"
)

// The backup download is an attachment; restored into a new data
// directory it holds the accounts and their messages.
func TestAdminBackup(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	s.signedInAs("user@example.org", false)
	s.deliver("user@example.org", 5)
	for _, path := range []string{"/admin/backup", "/api/v1/admin/backup"} {
		w := admin.get(path)
		cd := w.Header().Get("Content-Disposition")
		if w.Code != 200 || !strings.HasPrefix(cd, `attachment; filename="zest-backup-`) || !strings.HasSuffix(cd, `.badger"`) || w.Body.Len() == 0 {
			t.Fatalf("%s: %d %v", path, w.Code, w.Header())
		}
		dir := filepath.Join(t.TempDir(), "restored")
		if err := storage.Restore(dir, bytes.NewReader(w.Body.Bytes()), storage.Options{}); err != nil {
			t.Fatal(err)
		}
		st, err := storage.Open(dir, storage.Options{Password: cheapKDF})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		a, err := st.AccountByAddress(ctx, "user@example.org")
		if err != nil {
			t.Fatal(err)
		}
		inbox, err := st.MailboxByName(ctx, a.ID, "INBOX")
		if err != nil || inbox.Messages != 5 {
			t.Errorf("restored INBOX: %+v %v", inbox, err)
		}
		if _, err := st.Authenticate(ctx, "admin@example.org", "password admin@example.org"); err != nil {
			t.Errorf("restored login: %v", err)
		}
		st.Close()
	}
}
