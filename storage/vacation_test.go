package storage

import (
	"context"
	"testing"
	"time"
)

// A sender gets a vacation reply at most once per period, per reply
// identity; the log survives a restart and old entries are collected.
//
// spec: SV-37
func TestVacationLog(t *testing.T) {
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
	week := 7 * 24 * time.Hour
	due := func(sender, handle string) bool {
		t.Helper()
		ok, err := s.VacationDue(ctx, a.ID, sender, handle, week)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !due("bob@example.net", "away") {
		t.Fatal("first reply not due")
	}
	if due("BOB@example.net", "away") {
		t.Error("a second reply to the same sender (any case) within the period")
	}
	if !due("bob@example.net", "other reply") || !due("carol@example.net", "away") {
		t.Error("another identity or another sender was held back")
	}
	s.Close()
	now = now.Add(6 * 24 * time.Hour)
	s = open()
	defer func() { s.Close() }()
	if due("bob@example.net", "away") {
		t.Error("after a restart, within the period: due again")
	}
	now = now.Add(2 * 24 * time.Hour)
	if !due("bob@example.net", "away") {
		t.Error("after the period: not due")
	}
	now = now.Add(MaxVacationPeriod + time.Hour)
	if n, err := s.collectVacationLog(ctx); err != nil || n != 3 {
		t.Errorf("collected %d entries (%v), want the 3 older than the longest period", n, err)
	}
}
