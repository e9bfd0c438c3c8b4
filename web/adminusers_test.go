package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// The users page lists every account with its state, role and mail; an
// administrator creates accounts (bad input refused with a clear message),
// resets passwords, disables and enables, and makes administrators.
func TestAdminUsersPage(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	s.signedInAs("user@example.org", false)
	s.deliver("user@example.org", 3)
	w := admin.get("/admin/users")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "user@example.org") || !strings.Contains(body, "3 messages") ||
		!strings.Contains(body, "administrator") || !strings.Contains(body, `action="/admin/users/user@example.org/disable"`) {
		t.Fatalf("users page: %d\n%s", w.Code, body)
	}
	if strings.Contains(body, `action="/admin/users/admin@example.org/disable"`) || strings.Contains(body, `href="/admin/users/admin@example.org/delete"`) {
		t.Error("the page offers to disable or delete the administrator's own account")
	}

	for _, bad := range []struct{ address, password, want string }{
		{"not an address", "long enough password", "is not an address of the form user@domain"},
		{"user@example.org", "long enough password", "An account user@example.org exists already."},
		{"new@example.org", "short", "The password must have at least 10 characters."},
		{"a+b@example.org", "long enough password", "reserved for sub-addressing"},
	} {
		w := admin.postFollow("/admin/users", url.Values{"address": {bad.address}, "password": {bad.password}})
		if w.Code != 400 || !strings.Contains(w.Body.String(), bad.want) {
			t.Errorf("create %q/%q: %d, want 400 %q", bad.address, bad.password, w.Code, bad.want)
		}
		if strings.Contains(w.Body.String(), bad.password) && len(bad.password) > 4 {
			t.Errorf("the page shows the password typed")
		}
	}
	w = admin.postFollow("/admin/users", url.Values{"address": {"Carol@Example.net"}, "password": {"carol's password"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Created carol@example.net.") || !strings.Contains(w.Body.String(), "The domain example.net is new") {
		t.Errorf("create: %d\n%s", w.Code, w.Body)
	}
	ctx := context.Background()
	if _, err := s.store.Authenticate(ctx, "carol@example.net", "carol's password"); err != nil {
		t.Errorf("the new account cannot log in: %v", err)
	}

	if w := admin.postFollow("/admin/users/carol@example.net/password", url.Values{"password": {"short"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "at least 10 characters") {
		t.Errorf("short reset password: %d", w.Code)
	}
	if w := admin.postFollow("/admin/users/nobody@example.net/password", url.Values{"password": {"long enough password"}}); w.Code != 404 || !strings.Contains(w.Body.String(), "There is no account nobody@example.net.") {
		t.Errorf("reset for an unknown account: %d", w.Code)
	}
	if w := admin.postFollow("/admin/users/carol@example.net/password", url.Values{"password": {"a new password for carol"}}); w.Code != 200 || !strings.Contains(w.Body.String(), "password of carol@example.net is changed") {
		t.Errorf("reset password: %d", w.Code)
	}
	if _, err := s.store.Authenticate(ctx, "carol@example.net", "a new password for carol"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}

	if w := admin.postFollow("/admin/users/carol@example.net/disable", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "carol@example.net is disabled") {
		t.Errorf("disable: %d", w.Code)
	}
	if _, err := s.store.Authenticate(ctx, "carol@example.net", "a new password for carol"); err == nil {
		t.Error("a disabled account can log in")
	}
	if w := admin.get("/admin/users"); !strings.Contains(w.Body.String(), `action="/admin/users/carol@example.net/enable"`) {
		t.Error("the page does not offer to enable the disabled account")
	}
	if w := admin.postFollow("/admin/users/carol@example.net/enable", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "enabled again") {
		t.Errorf("enable: %d", w.Code)
	}
	if w := admin.postFollow("/admin/users/admin@example.org/disable", nil); w.Code != 400 || !strings.Contains(w.Body.String(), "You cannot disable your own account") {
		t.Errorf("disable oneself: %d", w.Code)
	}

	if w := admin.postFollow("/admin/users/admin@example.org/admin", url.Values{"admin": {"no"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "admin@example.org is the last administrator") {
		t.Errorf("unmake the last administrator: %d\n%s", w.Code, w.Body)
	}
	if w := admin.postFollow("/admin/users/carol@example.net/admin", url.Values{"admin": {"maybe"}}); w.Code != 400 {
		t.Errorf("admin=maybe: %d", w.Code)
	}
	if w := admin.postFollow("/admin/users/carol@example.net/admin", url.Values{"admin": {"yes"}}); w.Code != 200 || !strings.Contains(w.Body.String(), "carol@example.net is now an administrator") {
		t.Errorf("make administrator: %d", w.Code)
	}
	// With two administrators, one may step down.
	if w := admin.postFollow("/admin/users/admin@example.org/admin", url.Values{"admin": {"no"}}); w.Code != 200 {
		t.Errorf("unmake one of two administrators: %d", w.Code)
	}
	if a, _ := s.store.AccountByAddress(ctx, "admin@example.org"); a.Admin {
		t.Error("admin@example.org is still an administrator")
	}
	if w := admin.get("/admin/users"); w.Code != 403 {
		t.Errorf("the former administrator's users page: %d, want 403", w.Code)
	}
}

// Deleting an account takes a confirmation page that names the account
// and its messages, and a form repeating the address; one's own account
// and the last administrator cannot be deleted.
func TestAdminDeleteUser(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	s.signedInAs("user@example.org", false)
	s.deliver("user@example.org", 4)
	w := admin.get("/admin/users/user@example.org/delete")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "user@example.org") || !strings.Contains(w.Body.String(), "4\nmessages") || !strings.Contains(w.Body.String(), `name="confirm"`) {
		t.Fatalf("confirmation page: %d\n%s", w.Code, w.Body)
	}
	if w := admin.get("/admin/users/nobody@example.org/delete"); w.Code != 404 {
		t.Errorf("confirmation for an unknown account: %d", w.Code)
	}
	for _, confirm := range []string{"", "other@example.org"} {
		w := admin.postFollow("/admin/users/user@example.org/delete", url.Values{"confirm": {confirm}})
		if w.Code != 400 || !strings.Contains(w.Body.String(), "type its address to confirm") {
			t.Errorf("delete with confirm=%q: %d", confirm, w.Code)
		}
	}
	if _, err := s.store.AccountByAddress(t.Context(), "user@example.org"); err != nil {
		t.Fatal("deleted without confirmation")
	}
	w = admin.postFollow("/admin/users/user@example.org/delete", url.Values{"confirm": {"user@example.org"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Deleted user@example.org and its 4 messages.") {
		t.Errorf("delete: %d\n%s", w.Code, w.Body)
	}
	if _, err := s.store.AccountByAddress(t.Context(), "user@example.org"); err == nil {
		t.Error("the account is still there")
	}
	if w := admin.postFollow("/admin/users/admin@example.org/delete", url.Values{"confirm": {"admin@example.org"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "You cannot delete your own account") {
		t.Errorf("delete oneself: %d", w.Code)
	}
	// The last administrator cannot be deleted by anyone, here through
	// the API by an administrator whose own rights were just taken.
	if _, err := s.store.CreateAccount(t.Context(), "other@example.org", "password other"); err != nil {
		t.Fatal(err)
	}
	if w, out := admin.api("DELETE", "/api/v1/admin/users/admin@example.org", map[string]string{"confirm": "admin@example.org"}); w.Code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "own account") {
		t.Errorf("API delete oneself: %d %v", w.Code, out)
	}
}

// The users API does what the page does, in JSON.
func TestAdminUsersAPI(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	s.signedInAs("user@example.org", false)
	s.deliver("user@example.org", 2)
	w, out := admin.api("GET", "/api/v1/admin/users", nil)
	if w.Code != 200 {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	users, _ := out["users"].([]any)
	found := false
	for _, u := range users {
		m := u.(map[string]any)
		if m["address"] == "user@example.org" {
			found = true
			if m["messages"] != 2.0 || m["disabled"] != false || m["admin"] != false || m["size"].(float64) <= 0 {
				t.Errorf("user row: %v", m)
			}
		}
	}
	if !found {
		t.Errorf("list: %s", w.Body)
	}
	for _, bad := range []struct {
		body any
		want string
	}{
		{map[string]string{"address": "bad", "password": "long enough password"}, "not an address"},
		{map[string]string{"address": "user@example.org", "password": "long enough password"}, "exists already"},
		{map[string]string{"address": "x@example.org", "password": "short"}, "at least 10 characters"},
		{map[string]string{"address": "x@example.org", "passwd": "typo in the field"}, "not valid JSON for this call"},
	} {
		if w, out := admin.api("POST", "/api/v1/admin/users", bad.body); w.Code != 400 || !strings.Contains(fmt.Sprint(out["error"]), bad.want) {
			t.Errorf("create %v: %d %v", bad.body, w.Code, out)
		}
	}
	w, out = admin.api("POST", "/api/v1/admin/users", map[string]string{"address": "new@example.org", "password": "long enough password"})
	if w.Code != 201 || out["user"].(map[string]any)["address"] != "new@example.org" {
		t.Errorf("create: %d %v", w.Code, out)
	}
	w, out = admin.api("PATCH", "/api/v1/admin/users/new@example.org", map[string]any{"password": "another long password", "disabled": true, "admin": true})
	if u, _ := out["user"].(map[string]any); w.Code != 200 || u["disabled"] != true || u["admin"] != true {
		t.Errorf("update: %d %v", w.Code, out)
	}
	if w, _ := admin.api("PATCH", "/api/v1/admin/users/new@example.org", map[string]any{}); w.Code != 400 {
		t.Errorf("update without a change: %d", w.Code)
	}
	if w, out := admin.api("PATCH", "/api/v1/admin/users/admin@example.org", map[string]any{"disabled": true}); w.Code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "own account") {
		t.Errorf("disable oneself: %d %v", w.Code, out)
	}
	// new@ is an administrator but disabled: admin@ is the last one able
	// to sign in.
	if w, out := admin.api("PATCH", "/api/v1/admin/users/admin@example.org", map[string]any{"admin": false}); w.Code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "last administrator") {
		t.Errorf("unmake the last active administrator: %d %v", w.Code, out)
	}
	if w, _ := admin.api("PATCH", "/api/v1/admin/users/nobody@example.org", map[string]any{"disabled": true}); w.Code != 404 {
		t.Errorf("update an unknown account: %d", w.Code)
	}
	if w, _ := admin.api("DELETE", "/api/v1/admin/users/new@example.org", map[string]string{"confirm": "wrong@example.org"}); w.Code != 400 {
		t.Errorf("delete with a wrong confirmation: %d", w.Code)
	}
	if w, out := admin.api("DELETE", "/api/v1/admin/users/new@example.org", map[string]string{"confirm": "new@example.org"}); w.Code != 200 || !strings.Contains(fmt.Sprint(out["notice"]), "Deleted new@example.org") {
		t.Errorf("delete: %d %v", w.Code, out)
	}
}

// Two administrators taking each other's rights at the same moment leave
// one administrator, never none.
func TestAdminLastAdminConcurrent(t *testing.T) {
	for range 10 {
		s := newSite(t)
		a := s.signedInAs("a@example.org", true)
		b := s.signedInAs("b@example.org", true)
		done := make(chan struct{})
		go func() {
			defer close(done)
			a.api("PATCH", "/api/v1/admin/users/a@example.org", map[string]any{"admin": false})
		}()
		b.api("PATCH", "/api/v1/admin/users/b@example.org", map[string]any{"admin": false})
		<-done
		if has, err := s.store.HasAdmin(t.Context()); err != nil || !has {
			t.Fatalf("no administrator left (%v)", err)
		}
	}
}
