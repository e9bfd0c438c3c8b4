package web

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"zest/storage"
)

// Changing the password needs the current one; it ends other sessions and
// keeps this one; bad input gets a clear message.
func TestChangePassword(t *testing.T) {
	s := newSite(t)
	b := s.signedInAs("alice@example.org", false)
	other := s.signedInAs2("alice@example.org")
	for _, tc := range []struct {
		form url.Values
		code int
		want string
	}{
		{url.Values{"current": {"wrong password!"}, "password": {"new password 1"}, "password2": {"new password 1"}}, 401, "current password is wrong"},
		{url.Values{"current": {"password alice@example.org"}, "password": {"short"}, "password2": {"short"}}, 400, "at least 10 characters"},
		{url.Values{"current": {"password alice@example.org"}, "password": {"new password 1"}, "password2": {"new password 2"}}, 400, "differ"},
	} {
		if w := b.post("/account/password", tc.form); w.Code != tc.code || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("%v: %d, want %d %q", tc.form, w.Code, tc.code, tc.want)
		}
	}
	if w := b.post("/account/password", url.Values{"csrf": {"x"}, "current": {"password alice@example.org"}, "password": {"new password 1"}, "password2": {"new password 1"}}); w.Code != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", w.Code)
	}
	w := b.post("/account/password", url.Values{"current": {"password alice@example.org"}, "password": {"new password 1"}, "password2": {"new password 1"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account?done=password" {
		t.Fatalf("change: %d %v\n%s", w.Code, w.Header(), w.Body)
	}
	if w := b.get("/account?done=password"); w.Code != 200 || !strings.Contains(w.Body.String(), "Your password was changed") {
		t.Errorf("this browser after the change: %d", w.Code)
	}
	if w := other.get("/"); w.Code != http.StatusSeeOther {
		t.Errorf("another session after the change: %d, want signed out", w.Code)
	}
	if _, err := s.store.Authenticate(context.Background(), "alice@example.org", "new password 1"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
}

// The client set-up page lists the services that are on, with the user's
// address as user name.
func TestClientSetupPage(t *testing.T) {
	s := newSite(t)
	b := s.signedInAs("alice@example.org", false)
	w := b.get("/setup-client")
	body := w.Body.String()
	for _, want := range []string{"<code>mx.example.org</code></td><td>993</td><td>SSL/TLS", "<td>587</td><td>STARTTLS",
		"<code>alice@example.org</code>", "/apple/mobileconfig?email=alice%40example.org"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
}

// App passwords: made on the page (the secret shown once), working for the
// protocols and not for the web sign-in, deleted by their owner only.
func TestAppPasswords(t *testing.T) {
	s := newSite(t)
	alice := s.signedInAs("alice@example.org", false)
	bob := s.signedInAs("bob@example.org", false)
	w := alice.post("/account/app-passwords", url.Values{"label": {"Phone"}})
	m := regexp.MustCompile(`<code id="new-secret">([^<]+)</code>`).FindStringSubmatch(w.Body.String())
	if w.Code != 200 || m == nil {
		t.Fatalf("make an app password: %d\n%s", w.Code, w.Body)
	}
	secret := m[1]
	if w := alice.get("/account"); strings.Contains(w.Body.String(), secret) || !strings.Contains(w.Body.String(), "<td>Phone</td>") {
		t.Errorf("the account page shows the secret again, or not the label")
	}
	ctx := context.Background()
	if _, err := s.store.Login(ctx, netip.MustParseAddr("127.0.0.1"), "alice@example.org", secret); err != nil {
		t.Errorf("IMAP-style login with the app password: %v", err)
	}
	b := s.browser("127.0.0.1")
	if w := b.post("/login", url.Values{"address": {"alice@example.org"}, "password": {secret}}); w.Code != http.StatusUnauthorized {
		t.Errorf("web sign-in with an app password: %d, want 401", w.Code)
	}
	if w := alice.post("/account/app-passwords", url.Values{"label": {""}}); w.Code != 400 {
		t.Errorf("an empty label: %d, want 400", w.Code)
	}
	list, _ := s.store.AppPasswords(ctx, mustID(t, s, "alice@example.org"))
	id := strconv.FormatUint(uint64(list[0].ID), 10)
	// Bob cannot see or delete Alice's app passwords.
	if w := bob.get("/api/v1/app-passwords"); w.Code != 200 || strings.Contains(w.Body.String(), "Phone") {
		t.Errorf("bob's list: %d %s", w.Code, w.Body)
	}
	if w := bob.post("/account/app-passwords/"+id+"/delete", nil); w.Code != 404 {
		t.Errorf("bob deleting alice's app password: %d, want 404", w.Code)
	}
	if w := alice.post("/account/app-passwords/"+id+"/delete", url.Values{"csrf": {"forged"}}); w.Code != http.StatusForbidden {
		t.Errorf("delete with a forged CSRF token: %d", w.Code)
	}
	if w := alice.post("/account/app-passwords/"+id+"/delete", nil); w.Code != http.StatusSeeOther {
		t.Errorf("delete: %d", w.Code)
	}
	if _, err := s.store.Login(ctx, netip.MustParseAddr("127.0.0.1"), "alice@example.org", secret); err == nil {
		t.Error("the deleted app password still works")
	}
	// The API: create returns the secret, with the CSRF header.
	w = alice.do("POST", "/api/v1/app-passwords", strings.NewReader(`{"label":"Laptop"}`), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": alice.csrf})
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"password":"`) {
		t.Errorf("API create: %d %s", w.Code, w.Body)
	}
	if w := alice.do("POST", "/api/v1/app-passwords", strings.NewReader(`{"label":"X"}`), map[string]string{"Content-Type": "application/json"}); w.Code != http.StatusForbidden {
		t.Errorf("API create without the CSRF header: %d, want 403", w.Code)
	}
}

func mustID(t *testing.T, s *site, address string) storage.AccountID {
	t.Helper()
	a, err := s.store.AccountByAddress(context.Background(), address)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}
