package storage

import (
	"context"
	"testing"
	"time"
)

// The duplicate list (RFC 7352): an ID is seen once recorded, per handle
// and exactly; without :last an entry keeps its first expiry, with :last
// the period restarts; it survives a restart; the cleanup drops expired
// entries and bounds each account's list, oldest first.
func TestDuplicateList(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	open := func() *Store {
		s, err := Open(dir, Options{Password: cheapKDF, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	b := mustAccount(t, s, "bob@example.org")
	seen := func(acc AccountID, handle, id string) bool {
		t.Helper()
		ok, err := s.DuplicateSeen(ctx, acc, handle, id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	mark := func(acc AccountID, marks ...DuplicateMark) {
		t.Helper()
		if err := s.MarkDuplicates(ctx, acc, marks); err != nil {
			t.Fatal(err)
		}
	}
	hour := time.Hour
	if seen(a.ID, "", "<m1@x>") {
		t.Fatal("seen before any mark")
	}
	mark(a.ID, DuplicateMark{ID: "<m1@x>", Period: hour}, DuplicateMark{Handle: "h", ID: "<m2@x>", Period: hour, Last: true})
	switch {
	case !seen(a.ID, "", "<m1@x>") || !seen(a.ID, "h", "<m2@x>"):
		t.Error("a recorded ID is not seen")
	case seen(a.ID, "", "<M1@x>"):
		t.Error("IDs are compared case-sensitively (RFC 7352 §3.1)")
	case seen(a.ID, "h", "<m1@x>") || seen(a.ID, "", "<m2@x>"):
		t.Error("an ID of another handle is seen (RFC 7352 §3.2)")
	case seen(b.ID, "", "<m1@x>"):
		t.Error("another account's ID is seen")
	}

	// 50 minutes on: marking again without :last keeps the first expiry,
	// with :last restarts it (RFC 7352 §3.3).
	now = now.Add(50 * time.Minute)
	mark(a.ID, DuplicateMark{ID: "<m1@x>", Period: hour}, DuplicateMark{Handle: "h", ID: "<m2@x>", Period: hour, Last: true})
	s.Close()
	now = now.Add(20 * time.Minute)
	s = open()
	defer func() { s.Close() }()
	if seen(a.ID, "", "<m1@x>") {
		t.Error("without :last the entry outlived its first period")
	}
	if !seen(a.ID, "h", "<m2@x>") {
		t.Error("with :last the entry expired from its first period (or did not survive a restart)")
	}

	// The period is capped; zero records nothing.
	mark(a.ID, DuplicateMark{ID: "long", Period: 365 * 24 * hour}, DuplicateMark{ID: "zero"})
	if seen(a.ID, "", "zero") {
		t.Error("a zero period recorded an entry")
	}
	now = now.Add(MaxDuplicatePeriod + time.Minute)
	if seen(a.ID, "", "long") {
		t.Error("a period beyond MaxDuplicatePeriod was not capped")
	}

	// Cleanup: everything has expired by now.
	if n, err := s.collectDuplicates(ctx, MaxDuplicates); err != nil || n != 3 {
		t.Errorf("collected %d (%v), want the 3 expired entries", n, err)
	}
	// Bound: 5 live entries for a limit of 3 drops the 2 expiring first.
	for i, id := range []string{"e1", "e2", "e3", "e4", "e5"} {
		mark(a.ID, DuplicateMark{ID: id, Period: time.Duration(i+1) * hour})
	}
	mark(b.ID, DuplicateMark{ID: "b1", Period: hour})
	if n, err := s.collectDuplicates(ctx, 3); err != nil || n != 2 {
		t.Errorf("bounded %d (%v), want 2", n, err)
	}
	if seen(a.ID, "", "e1") || seen(a.ID, "", "e2") || !seen(a.ID, "", "e3") || !seen(a.ID, "", "e5") || !seen(b.ID, "", "b1") {
		t.Error("the bound did not drop exactly the entries expiring first")
	}

	// Deleting the account deletes its list.
	if err := s.DeleteAccount(ctx, a.Address); err != nil {
		t.Fatal(err)
	}
	if seen(a.ID, "", "e5") {
		t.Error("a deleted account's entries remain")
	}
}
