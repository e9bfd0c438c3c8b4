package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func scriptNames(t *testing.T, s *Store, a AccountID) string {
	t.Helper()
	list, err := s.ListScripts(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sc := range list {
		n := sc.Name
		if sc.Active {
			n += "*"
		}
		names = append(names, n)
	}
	return strings.Join(names, " ")
}

// spec: SV-75, SV-76, SV-77, SV-78, SV-79
func TestSieveScriptLifecycle(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	a := mustAccount(t, s, "alice@example.org").ID
	b := mustAccount(t, s, "bob@example.org").ID

	if sc, err := s.ActiveScript(ctx, a); err != nil || sc != nil {
		t.Fatalf("ActiveScript with none = %v, %v", sc, err)
	}
	for _, n := range []string{"vacation", "main", "Ünïcødé"} {
		if err := s.PutScript(ctx, a, n, []byte("keep; # "+n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutScript(ctx, b, "main", []byte("discard;")); err != nil {
		t.Fatal(err)
	}
	if got := scriptNames(t, s, a); got != "main vacation Ünïcødé" {
		t.Fatalf("list = %q", got)
	}
	if err := s.SetActive(ctx, a, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetActive(nope) = %v, want ErrNotFound", err)
	}
	if err := s.SetActive(ctx, a, "main"); err != nil {
		t.Fatal(err)
	}
	if got := scriptNames(t, s, a); got != "main* vacation Ünïcødé" {
		t.Fatalf("list = %q", got)
	}
	if got := scriptNames(t, s, b); got != "main" {
		t.Fatalf("bob's list = %q", got)
	}
	sc, err := s.ActiveScript(ctx, a)
	if err != nil || sc == nil || string(sc.Content) != "keep; # main" || sc.Name != "main" {
		t.Fatalf("ActiveScript = %+v, %v", sc, err)
	}
	if err := s.DeleteScript(ctx, a, "main"); !errors.Is(err, ErrScriptActive) {
		t.Fatalf("delete active = %v", err)
	}
	if err := s.DeleteScript(ctx, a, "gone"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete missing = %v", err)
	}
	if err := s.RenameScript(ctx, a, "main", "vacation"); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto existing = %v", err)
	}
	if err := s.RenameScript(ctx, a, "gone", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rename missing = %v", err)
	}
	if err := s.RenameScript(ctx, a, "main", "primary"); err != nil {
		t.Fatal(err)
	}
	if got := scriptNames(t, s, a); got != "primary* vacation Ünïcødé" {
		t.Fatalf("after rename list = %q", got)
	}
	// Replacing the active script keeps it active.
	if err := s.PutScript(ctx, a, "primary", []byte("discard;")); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetScript(ctx, a, "primary")
	if err != nil || string(got.Content) != "discard;" || !got.Active {
		t.Fatalf("GetScript = %+v, %v", got, err)
	}
	if _, err := s.GetScript(ctx, a, "main"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetScript of the old name = %v", err)
	}
	if err := s.SetActive(ctx, a, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetActive(ctx, a, ""); err != nil {
		t.Fatalf("deactivating twice: %v", err)
	}
	if sc, err := s.ActiveScript(ctx, a); err != nil || sc != nil {
		t.Fatalf("ActiveScript after deactivation = %v, %v", sc, err)
	}
	if err := s.DeleteScript(ctx, a, "primary"); err != nil {
		t.Fatal(err)
	}
	if got := scriptNames(t, s, a); got != "vacation Ünïcødé" {
		t.Fatalf("after delete list = %q", got)
	}
}

// spec: SV-83
func TestSieveScriptNames(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	a := mustAccount(t, s, "alice@example.org").ID
	good := []string{"a", strings.Repeat("é", MaxSieveNameLen), "with space", "日本語"}
	bad := []string{"", strings.Repeat("é", MaxSieveNameLen+1), "tab\there", "nl\n", "del\x7f", "c1\u0085", "ls\u2028", "\xff"}
	for _, n := range good {
		if err := s.PutScript(ctx, a, n, []byte("keep;")); err != nil {
			t.Errorf("PutScript(%q) = %v", n, err)
		}
	}
	for _, n := range bad {
		if err := s.PutScript(ctx, a, n, []byte("keep;")); !errors.Is(err, ErrInvalidName) {
			t.Errorf("PutScript(%q) = %v, want ErrInvalidName", n, err)
		}
		if err := s.RenameScript(ctx, a, "a", n); !errors.Is(err, ErrInvalidName) {
			t.Errorf("RenameScript to %q = %v, want ErrInvalidName", n, err)
		}
	}
}

// spec: SV-81
func TestSieveScriptQuota(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), Options{Password: cheapKDF, MaxSieveScripts: 2, MaxSieveScriptSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := mustAccount(t, s, "alice@example.org").ID
	if err := s.CheckScriptSpace(ctx, a, "one", 101); !errors.Is(err, ErrScriptTooLarge) {
		t.Fatalf("space for 101 bytes = %v", err)
	}
	if err := s.PutScript(ctx, a, "one", make([]byte, 101)); !errors.Is(err, ErrScriptTooLarge) {
		t.Fatalf("put 101 bytes = %v", err)
	}
	for _, n := range []string{"one", "two"} {
		if err := s.CheckScriptSpace(ctx, a, n, 100); err != nil {
			t.Fatal(err)
		}
		if err := s.PutScript(ctx, a, n, make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CheckScriptSpace(ctx, a, "three", 1); !errors.Is(err, ErrTooManyScripts) {
		t.Fatalf("space for a third = %v", err)
	}
	if err := s.PutScript(ctx, a, "three", []byte("keep;")); !errors.Is(err, ErrTooManyScripts) {
		t.Fatalf("put a third = %v", err)
	}
	// Replacing one of the two is not a new script.
	if err := s.CheckScriptSpace(ctx, a, "two", 5); err != nil {
		t.Fatalf("space to replace = %v", err)
	}
	if err := s.PutScript(ctx, a, "two", []byte("keep;")); err != nil {
		t.Fatal(err)
	}
	if max, size := s.SieveLimits(); max != 2 || size != 100 {
		t.Fatalf("SieveLimits = %d, %d", max, size)
	}
}

func TestSieveScriptsSurviveReopenAndGoWithAccount(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir)
	a := mustAccount(t, s, "alice@example.org").ID
	if err := s.PutScript(ctx, a, "main", []byte("keep;")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetActive(ctx, a, "main"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAdminScript(ctx, []byte("require \"fileinto\";")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTestStore(t, dir)
	defer s.Close()
	sc, err := s.ActiveScript(ctx, a)
	if err != nil || sc == nil || string(sc.Content) != "keep;" {
		t.Fatalf("after reopen ActiveScript = %+v, %v", sc, err)
	}
	admin, err := s.AdminScript(ctx)
	if err != nil || admin == nil || string(admin.Content) != "require \"fileinto\";" {
		t.Fatalf("AdminScript = %+v, %v", admin, err)
	}
	if err := s.DeleteAccount(ctx, "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	b := mustAccount(t, s, "bob@example.org").ID
	for _, id := range []AccountID{a, b} {
		if list, err := s.ListScripts(ctx, id); err != nil || len(list) != 0 {
			t.Fatalf("scripts of %d after deleting alice = %v, %v", id, list, err)
		}
		if sc, err := s.ActiveScript(ctx, id); err != nil || sc != nil {
			t.Fatalf("active script of %d = %v, %v", id, sc, err)
		}
	}
	if err := s.SetAdminScript(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if admin, err := s.AdminScript(ctx); err != nil || admin != nil {
		t.Fatalf("AdminScript after removal = %v, %v", admin, err)
	}
}

// Global scripts (RFC 6609 §3.2, include :global): stored by name,
// listed without content, replaced, deleted.
func TestGlobalSieveScripts(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	if list, err := s.GlobalScripts(ctx); err != nil || len(list) != 0 {
		t.Fatalf("GlobalScripts on an empty store = %v, %v", list, err)
	}
	if _, err := s.GlobalScript(ctx, "spam"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GlobalScript of a missing name: %v, want ErrNotFound", err)
	}
	for _, n := range []string{"spam", "lists"} {
		if err := s.PutGlobalScript(ctx, n, []byte("keep; # "+n)); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.GlobalScript(ctx, "spam")
	if err != nil || string(first.Content) != "keep; # spam" {
		t.Fatalf("GlobalScript = %+v, %v", first, err)
	}
	if err := s.PutGlobalScript(ctx, "spam", []byte("discard;")); err != nil {
		t.Fatal(err)
	}
	second, err := s.GlobalScript(ctx, "spam")
	if err != nil || string(second.Content) != "discard;" || second.Updated.Before(first.Updated) {
		t.Fatalf("replaced GlobalScript = %+v (before %v), %v", second, first.Updated, err)
	}
	list, err := s.GlobalScripts(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "lists" || list[1].Name != "spam" || list[0].Content != nil {
		t.Fatalf("GlobalScripts = %+v, %v", list, err)
	}
	// A user's script of the same name is another script.
	a := mustAccount(t, s, "alice@example.org").ID
	if _, err := s.GetScript(ctx, a, "spam"); !errors.Is(err, ErrNotFound) {
		t.Errorf("global script seen as alice's: %v", err)
	}
	if err := s.PutGlobalScript(ctx, "bad\x00name", []byte("keep;")); !errors.Is(err, ErrInvalidName) {
		t.Errorf("invalid name: %v", err)
	}
	if err := s.DeleteGlobalScript(ctx, "spam"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteGlobalScript(ctx, "spam"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := s.GlobalScript(ctx, "spam"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted script still there: %v", err)
	}
}
