package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Aliases: the page explains catch-alls, lists aliases, adds (targets
// must be local), deletes; the API does the same.
func TestAdminAliases(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	s.signedInAs("bob@example.org", false)
	w := admin.get("/admin/aliases")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "catch-all") || !strings.Contains(w.Body.String(), "There are no aliases.") {
		t.Fatalf("aliases page: %d\n%s", w.Code, w.Body)
	}
	for _, bad := range []struct{ from, to, want string }{
		{"", "bob@example.org", "Give the address the alias receives mail for"},
		{"sales@example.org", "", "Give at least one address"},
		{"not an address", "bob@example.org", "is not an address"},
		{"sales@example.org", "someone@elsewhere.net", "domain is not local"},
		{"@not a domain", "bob@example.org", "is not a domain name"},
	} {
		w := admin.postFollow("/admin/aliases", url.Values{"from": {bad.from}, "to": {bad.to}})
		if w.Code != 400 || !strings.Contains(w.Body.String(), bad.want) {
			t.Errorf("add %q → %q: %d, want 400 %q\n%s", bad.from, bad.to, w.Code, bad.want, w.Body)
		}
	}
	w = admin.postFollow("/admin/aliases", url.Values{"from": {"Sales@Example.org"}, "to": {"bob@example.org, admin@example.org"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Mail to sales@example.org now goes to bob@example.org, admin@example.org.") {
		t.Errorf("add: %d\n%s", w.Code, w.Body)
	}
	w = admin.postFollow("/admin/aliases", url.Values{"from": {"@example.org"}, "to": {"bob@example.org"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Mail to any address at example.org") {
		t.Errorf("add catch-all: %d\n%s", w.Code, w.Body)
	}
	if rcpts, err := s.store.ResolveRecipient(context.Background(), "anything@example.org"); err != nil || len(rcpts) != 1 || rcpts[0].Account.Address != "bob@example.org" {
		t.Errorf("the catch-all does not deliver to bob: %v %v", rcpts, err)
	}
	body := admin.get("/admin/aliases").Body.String()
	if !strings.Contains(body, "sales@example.org") || !strings.Contains(body, "bob@example.org, admin@example.org") || !strings.Contains(body, `<span class="tag">catch-all</span>`) {
		t.Errorf("aliases page after adding:\n%s", body)
	}
	if w := admin.postFollow("/admin/aliases/delete", url.Values{"from": {"@example.org"}}); w.Code != 200 || !strings.Contains(w.Body.String(), "Deleted the alias @example.org.") {
		t.Errorf("delete: %d", w.Code)
	}
	if w := admin.postFollow("/admin/aliases/delete", url.Values{"from": {"@example.org"}}); w.Code != 404 || !strings.Contains(w.Body.String(), "There is no alias @example.org.") {
		t.Errorf("delete again: %d", w.Code)
	}

	w, out := admin.api("GET", "/api/v1/admin/aliases", nil)
	if al, _ := out["aliases"].([]any); w.Code != 200 || len(al) != 1 || al[0].(map[string]any)["from"] != "sales@example.org" {
		t.Errorf("API list: %d %s", w.Code, w.Body)
	}
	if w, out := admin.api("POST", "/api/v1/admin/aliases", map[string]any{"from": "info@example.org", "to": []string{"nobody@elsewhere.net"}}); w.Code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "not local") {
		t.Errorf("API add with a remote target: %d %v", w.Code, out)
	}
	if w, _ := admin.api("POST", "/api/v1/admin/aliases", map[string]any{"from": "info@example.org", "to": []string{"bob@example.org"}}); w.Code != 201 {
		t.Errorf("API add: %d %s", w.Code, w.Body)
	}
	if w, _ := admin.api("DELETE", "/api/v1/admin/aliases/sales@example.org?to=admin@example.org", nil); w.Code != 200 {
		t.Errorf("API delete one target: %d %s", w.Code, w.Body)
	}
	al, _ := s.store.Aliases(context.Background())
	if len(al) != 2 || al[1].From != "sales@example.org" || len(al[1].To) != 1 || al[1].To[0] != "bob@example.org" {
		t.Errorf("aliases: %+v", al)
	}
	if w, _ := admin.api("DELETE", "/api/v1/admin/aliases/nobody@example.org", nil); w.Code != 404 {
		t.Errorf("API delete of an unknown alias: %d", w.Code)
	}
}
