package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A web session lives until its expiry, sign-out, a password change or the
// account being disabled; it survives a restart, and the store keeps only
// the token's hash.
func TestWebSessions(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := Open(dir, Options{Password: cheapKDF, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	token, ws, err := s.CreateWebSession(ctx, a.ID)
	if err != nil || len(token) < 40 || ws.CSRF == "" || ws.Account != a.ID {
		t.Fatalf("CreateWebSession = %q, %+v, %v", token, ws, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, Options{Password: cheapKDF, Now: clock}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, acct, err := s.WebSession(ctx, token)
	if err != nil || got.CSRF != ws.CSRF || acct.Address != "alice@example.org" {
		t.Fatalf("after a restart: %+v, %+v, %v", got, acct, err)
	}
	if _, _, err := s.WebSession(ctx, token+"x"); !errors.Is(err, ErrNoSession) {
		t.Errorf("a wrong token: %v", err)
	}
	// Sign-out.
	if err := s.EndWebSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.WebSession(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after sign-out: %v", err)
	}
	// Expiry, and the cleanup.
	token, _, _ = s.CreateWebSession(ctx, a.ID)
	now = now.Add(WebSessionLifetime)
	if _, _, err := s.WebSession(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Errorf("an expired session: %v", err)
	}
	if n, err := s.collectWebSessions(ctx); n != 1 || err != nil {
		t.Errorf("collectWebSessions = %d, %v", n, err)
	}
	// A password change and disabling end every session.
	token, _, _ = s.CreateWebSession(ctx, a.ID)
	if err := s.SetPassword(ctx, "alice@example.org", "new password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.WebSession(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after a password change: %v", err)
	}
	token, _, _ = s.CreateWebSession(ctx, a.ID)
	if err := s.SetDisabled(ctx, "alice@example.org", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.WebSession(ctx, token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after disabling: %v", err)
	}
	if _, _, err := s.CreateWebSession(ctx, a.ID); !errors.Is(err, ErrAccountDisabled) {
		t.Errorf("signing in a disabled account: %v", err)
	}
}

// HasAdmin is false until an account is made an administrator, and the
// flag survives in the account record.
func TestAdministrators(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	mustAccount(t, s, "alice@example.org")
	if ok, err := s.HasAdmin(ctx); ok || err != nil {
		t.Fatalf("HasAdmin = %v, %v before any administrator", ok, err)
	}
	if err := s.SetAdmin(ctx, "alice@example.org", true); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.HasAdmin(ctx); !ok {
		t.Error("HasAdmin false after SetAdmin")
	}
	if a, _ := s.AccountByAddress(ctx, "alice@example.org"); !a.Admin {
		t.Error("the account record lost Admin")
	}
	if err := s.SetAdmin(ctx, "nobody@example.org", true); !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrBadCredentials) {
		t.Errorf("SetAdmin of an unknown account: %v", err)
	}
}
