package storage

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func openClockStore(t *testing.T, dir string, clock *fakeClock) *Store {
	t.Helper()
	s, err := Open(dir, Options{Password: cheapKDF, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s.LoginLimiter().SetDelayUnit(0)
	return s
}

var loopback = netip.MustParseAddr("127.0.0.1")

// An app password is created, listed, used for a protocol login in the
// forms a user may type it, refused once deleted, and kept across a restart.
func TestAppPasswordLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := newFakeClock()
	s := openClockStore(t, dir, clock)
	a := mustAccount(t, s, "alice@example.org")

	phone, secret, err := s.AddAppPassword(ctx, a.ID, "  Phone  ")
	if err != nil {
		t.Fatal(err)
	}
	if phone.Label != "Phone" || !phone.Created.Equal(clock.Now()) || !phone.LastUsed.IsZero() {
		t.Errorf("new app password = %+v", phone)
	}
	if len(secret) != 19 || strings.Count(secret, "-") != 3 {
		t.Errorf("secret %q: want four groups of four", secret)
	}
	laptop, secret2, err := s.AddAppPassword(ctx, a.ID, "Laptop – Thunderbird")
	if err != nil {
		t.Fatal(err)
	}
	if secret2 == secret {
		t.Fatal("two app passwords got the same secret")
	}
	list, err := s.AppPasswords(ctx, a.ID)
	if err != nil || len(list) != 2 || list[0].ID != phone.ID || list[1].ID != laptop.ID {
		t.Fatalf("AppPasswords = %+v, %v", list, err)
	}

	// The secret works as typed, without dashes, upper-cased or with spaces.
	for _, pw := range []string{secret, strings.ReplaceAll(secret, "-", ""), strings.ToUpper(secret), strings.ReplaceAll(secret, "-", " ")} {
		got, err := s.Login(ctx, loopback, "alice@example.org", pw)
		if err != nil || got.ID != a.ID {
			t.Errorf("Login with app password %q: %v", pw, err)
		}
	}
	if _, err := s.Login(ctx, loopback, "alice@example.org", "secret alice@example.org"); err != nil {
		t.Errorf("the account password stopped working: %v", err)
	}
	list, _ = s.AppPasswords(ctx, a.ID)
	if !list[0].LastUsed.Equal(clock.Now()) || !list[1].LastUsed.IsZero() {
		t.Errorf("after a login with the phone's password: %+v", list)
	}

	// One account's app password does not open another account.
	mustAccount(t, s, "bob@example.org")
	if _, err := s.Login(ctx, loopback, "bob@example.org", secret); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("alice's app password for bob: %v, want ErrBadCredentials", err)
	}
	// Wrong secrets of the right shape are refused.
	wrong := []byte(strings.ReplaceAll(secret, "-", ""))
	wrong[15] = "ab"[wrong[15]%2]
	if wrong[15] == secret[18] {
		wrong[15] = 'c'
	}
	for _, pw := range []string{string(wrong), "aaaa-aaaa-aaaa-aaaa", "", secret + "x"} {
		if _, err := s.Login(ctx, loopback, "alice@example.org", pw); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Login with %q: %v, want ErrBadCredentials", pw, err)
		}
	}

	// Deleting drops the cached verification at once; the other still works.
	if err := s.DeleteAppPassword(ctx, a.ID, phone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, loopback, "alice@example.org", secret); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("deleted app password: %v, want ErrBadCredentials", err)
	}
	if err := s.DeleteAppPassword(ctx, a.ID, phone.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if err := s.DeleteAppPassword(ctx, a.ID+1, laptop.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting through another account: %v, want ErrNotFound", err)
	}

	// A restart keeps the app password and its hash.
	s.Close()
	s = openClockStore(t, dir, clock)
	defer s.Close()
	list, err = s.AppPasswords(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0].ID != laptop.ID || list[0].Label != "Laptop – Thunderbird" {
		t.Fatalf("after restart: %+v, %v", list, err)
	}
	if _, err := s.Login(ctx, loopback, "alice@example.org", secret2); err != nil {
		t.Errorf("app password after restart: %v", err)
	}
	next, _, err := s.AddAppPassword(ctx, a.ID, "tablet")
	if err != nil || next.ID <= laptop.ID {
		t.Errorf("after restart: new ID %d, %v; want above %d", next.ID, err, laptop.ID)
	}

	// Deleting the account deletes its app passwords.
	if err := s.DeleteAccount(ctx, "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	if list, err := s.AppPasswords(ctx, a.ID); err != nil || len(list) != 0 {
		t.Errorf("app passwords of a deleted account: %+v, %v", list, err)
	}
}

// LastUsed is written at most once an hour per app password.
func TestAppPasswordLastUsedHourly(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	s := openClockStore(t, t.TempDir(), clock)
	defer s.Close()
	a := mustAccount(t, s, "alice@example.org")
	_, secret, err := s.AddAppPassword(ctx, a.ID, "phone")
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() time.Time {
		list, err := s.AppPasswords(ctx, a.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("AppPasswords = %+v, %v", list, err)
		}
		return list[0].LastUsed
	}
	first := clock.Now()
	for range 3 {
		if _, err := s.Login(ctx, loopback, "alice@example.org", secret); err != nil {
			t.Fatal(err)
		}
		clock.advance(10 * time.Minute) // past the auth cache's lifetime after the first two
	}
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("LastUsed after three logins within the hour = %v, want %v", got, first)
	}
	clock.advance(time.Hour)
	if _, err := s.Login(ctx, loopback, "alice@example.org", secret); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.Equal(clock.Now()) {
		t.Errorf("LastUsed an hour later = %v, want %v", got, clock.Now())
	}
}

// The web sign-in accepts only the account password, under the limiter
// the protocols share.
func TestAuthenticatePrimary(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	s.LoginLimiter().SetDelayUnit(0)
	a := mustAccount(t, s, "alice@example.org")
	_, secret, err := s.AddAppPassword(ctx, a.ID, "phone")
	if err != nil {
		t.Fatal(err)
	}
	// Even with the app password's login cached by IMAP.
	if _, err := s.Login(ctx, loopback, "alice@example.org", secret); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticatePrimary(ctx, loopback, "alice@example.org", secret); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("web sign-in with an app password: %v, want ErrBadCredentials", err)
	}
	if got, err := s.AuthenticatePrimary(ctx, loopback, "alice@example.org", "secret alice@example.org"); err != nil || got.ID != a.ID {
		t.Errorf("web sign-in with the account password: %v", err)
	}
	attacker := netip.MustParseAddr("192.0.2.9")
	for range MaxLoginFailures {
		s.AuthenticatePrimary(ctx, attacker, "alice@example.org", "guess")
	}
	var blocked *LoginBlockedError
	if _, err := s.AuthenticatePrimary(ctx, attacker, "alice@example.org", "secret alice@example.org"); !errors.As(err, &blocked) {
		t.Errorf("web sign-in after %d failures: %v, want LoginBlockedError", MaxLoginFailures, err)
	}
	if _, err := s.Login(ctx, attacker, "alice@example.org", secret); !errors.As(err, &blocked) {
		t.Errorf("IMAP login after %d web failures: %v, want LoginBlockedError", MaxLoginFailures, err)
	}
}

// Labels are checked and an account has at most MaxAppPasswords.
func TestAppPasswordLimits(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	a := mustAccount(t, s, "alice@example.org")
	for _, bad := range []string{"", "   ", strings.Repeat("x", 65), "tab\there", "new\nline", "\x7f"} {
		if _, _, err := s.AddAppPassword(ctx, a.ID, bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("label %q: %v, want ErrInvalidName", bad, err)
		}
	}
	if _, _, err := s.AddAppPassword(ctx, a.ID, strings.Repeat("é", 64)); err != nil {
		t.Errorf("64-character label: %v", err)
	}
	for i := 1; i < MaxAppPasswords; i++ {
		if _, _, err := s.AddAppPassword(ctx, a.ID, "client"); err != nil {
			t.Fatalf("app password %d: %v", i+1, err)
		}
	}
	if _, _, err := s.AddAppPassword(ctx, a.ID, "one too many"); !errors.Is(err, ErrTooManyAppPasswords) {
		t.Errorf("app password %d: %v, want ErrTooManyAppPasswords", MaxAppPasswords+1, err)
	}
	if _, _, err := s.AddAppPassword(ctx, a.ID+100, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("for a missing account: %v, want ErrNotFound", err)
	}
}

// A wrong guess against an account with the most app passwords costs one
// KDF run for the account password, not one per app password (plus one per
// app password whose 16-bit tag it happens to match); a good app password
// costs one, and none while cached.
func TestAppPasswordKDFCost(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	a := mustAccount(t, s, "alice@example.org")
	var secrets []string
	for range MaxAppPasswords {
		_, secret, err := s.AddAppPassword(ctx, a.ID, "client")
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	cost := func(pw string) int64 {
		before := s.kdfRuns.Load()
		s.Authenticate(ctx, "alice@example.org", pw)
		return s.kdfRuns.Load() - before
	}
	recs, err := s.appPasswords(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// tagged counts the app passwords a candidate is hashed against: only
	// those whose tag it matches (almost always none).
	tagged := func(pw string, upTo int) int64 {
		norm, ok := normalizeAppPassword(pw)
		if !ok {
			return 0
		}
		n := int64(0)
		for _, r := range recs[:upTo] {
			if r.tag == appPasswordTag(norm) {
				n++
			}
		}
		return n
	}
	for i := range 50 {
		// Wrong guesses shaped like app passwords, and not.
		guess := strings.Repeat(string(appPasswordAlphabet[i%32]), 15) + string(appPasswordAlphabet[(i+7)%32])
		for _, pw := range []string{guess, "password" + guess} {
			if got, want := cost(pw), 1+tagged(pw, len(recs)); got != want {
				t.Errorf("wrong guess %q cost %d KDF runs, want %d (the account password and %d tag matches)", pw, got, want, want-1)
			}
		}
	}
	last := secrets[MaxAppPasswords-1]
	if got, want := cost(last), 1+tagged(last, MaxAppPasswords-1); got != want {
		t.Errorf("the last app password cost %d KDF runs, want %d", got, want)
	}
	if n := cost(last); n != 0 {
		t.Errorf("the cached app password cost %d KDF runs, want 0", n)
	}
}

// Changing the account password drops cached app password logins too
// (they verify again, and still work); a stale cache entry for a deleted
// app password never opens the account.
func TestAppPasswordCacheAndPasswordChange(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	a := mustAccount(t, s, "alice@example.org")
	p, secret, err := s.AddAppPassword(ctx, a.ID, "phone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "alice@example.org", secret); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, "alice@example.org", "new password"); err != nil {
		t.Fatal(err)
	}
	before := s.kdfRuns.Load()
	if _, err := s.Authenticate(ctx, "alice@example.org", secret); err != nil {
		t.Errorf("app password after a password change: %v", err)
	}
	if n := s.kdfRuns.Load() - before; n != 1 {
		t.Errorf("after the password change the app password cost %d KDF runs, want 1 (cache dropped)", n)
	}
	// A verification racing with the deletion could cache the app password
	// after DeleteAppPassword's forgetApp: the entry must not be honoured.
	acct, _ := s.Account(ctx, a.ID)
	if err := s.DeleteAppPassword(ctx, a.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	s.auth.remember("alice@example.org", secret, acct, p.ID)
	if _, err := s.Authenticate(ctx, "alice@example.org", secret); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("stale cache entry of a deleted app password: %v, want ErrBadCredentials", err)
	}
	if err := s.SetDisabled(ctx, "alice@example.org", true); err != nil {
		t.Fatal(err)
	}
	_, secret2, err := s.AddAppPassword(ctx, a.ID, "tablet")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "alice@example.org", secret2); !errors.Is(err, ErrAccountDisabled) {
		t.Errorf("app password of a disabled account: %v, want ErrAccountDisabled", err)
	}
}
