package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Domains: listed with their accounts, aliases and a link to their DNS
// records; added; deleted only once unused, with the reason otherwise.
func TestAdminDomains(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	w := admin.get("/admin/domains")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "example.org") || !strings.Contains(w.Body.String(), `href="/admin/domains/example.org/dns"`) ||
		!strings.Contains(w.Body.String(), "1 accounts") {
		t.Fatalf("domains page: %d\n%s", w.Code, w.Body)
	}
	if w := admin.postFollow("/admin/domains", url.Values{"domain": {"not a domain"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "is not a domain name") {
		t.Errorf("add an invalid domain: %d", w.Code)
	}
	if w := admin.postFollow("/admin/domains", url.Values{"domain": {"example.org"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "example.org is a local domain already.") {
		t.Errorf("add an existing domain: %d", w.Code)
	}
	if w := admin.postFollow("/admin/domains", url.Values{"domain": {"Example.NET"}}); w.Code != 200 || !strings.Contains(w.Body.String(), "now receives mail for example.net") {
		t.Errorf("add: %d", w.Code)
	}
	if w := admin.postFollow("/admin/domains/example.org/delete", nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "example.org still has accounts or aliases") {
		t.Errorf("delete a used domain: %d\n%s", w.Code, w.Body)
	}
	if w := admin.postFollow("/admin/domains/example.net/delete", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "no longer receives mail for example.net") {
		t.Errorf("delete: %d", w.Code)
	}
	if w := admin.postFollow("/admin/domains/example.net/delete", nil); w.Code != 404 {
		t.Errorf("delete again: %d", w.Code)
	}

	if w, out := admin.api("POST", "/api/v1/admin/domains", map[string]string{"domain": "example.com"}); w.Code != 201 {
		t.Errorf("API add: %d %v", w.Code, out)
	}
	if w, out := admin.api("POST", "/api/v1/admin/domains", map[string]string{"domain": "-bad-"}); w.Code != 400 || out["error"] == nil {
		t.Errorf("API add an invalid domain: %d %v", w.Code, out)
	}
	w, out := admin.api("GET", "/api/v1/admin/domains", nil)
	if d, _ := out["domains"].([]any); w.Code != 200 || len(d) != 2 {
		t.Errorf("API list: %d %s", w.Code, w.Body)
	}
	if w, out := admin.api("DELETE", "/api/v1/admin/domains/example.org", nil); w.Code != http.StatusConflict || !strings.Contains(fmt.Sprint(out["error"]), "still has accounts") {
		t.Errorf("API delete a used domain: %d %v", w.Code, out)
	}
	if w, _ := admin.api("DELETE", "/api/v1/admin/domains/example.com", nil); w.Code != 200 {
		t.Errorf("API delete: %d", w.Code)
	}
}
