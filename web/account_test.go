package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
