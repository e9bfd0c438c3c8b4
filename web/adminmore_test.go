package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zest/storage"
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
		w := admin.post("/admin/aliases", url.Values{"from": {bad.from}, "to": {bad.to}})
		if w.Code != 400 || !strings.Contains(w.Body.String(), bad.want) {
			t.Errorf("add %q → %q: %d, want 400 %q\n%s", bad.from, bad.to, w.Code, bad.want, w.Body)
		}
	}
	w = admin.post("/admin/aliases", url.Values{"from": {"Sales@Example.org"}, "to": {"bob@example.org, admin@example.org"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Mail to sales@example.org now goes to bob@example.org, admin@example.org.") {
		t.Errorf("add: %d\n%s", w.Code, w.Body)
	}
	w = admin.post("/admin/aliases", url.Values{"from": {"@example.org"}, "to": {"bob@example.org"}})
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
	if w := admin.post("/admin/aliases/delete", url.Values{"from": {"@example.org"}}); w.Code != 200 || !strings.Contains(w.Body.String(), "Deleted the alias @example.org.") {
		t.Errorf("delete: %d", w.Code)
	}
	if w := admin.post("/admin/aliases/delete", url.Values{"from": {"@example.org"}}); w.Code != 404 || !strings.Contains(w.Body.String(), "There is no alias @example.org.") {
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
	if w := admin.post("/admin/domains", url.Values{"domain": {"not a domain"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "is not a domain name") {
		t.Errorf("add an invalid domain: %d", w.Code)
	}
	if w := admin.post("/admin/domains", url.Values{"domain": {"example.org"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "example.org is a local domain already.") {
		t.Errorf("add an existing domain: %d", w.Code)
	}
	if w := admin.post("/admin/domains", url.Values{"domain": {"Example.NET"}}); w.Code != 200 || !strings.Contains(w.Body.String(), "now receives mail for example.net") {
		t.Errorf("add: %d", w.Code)
	}
	if w := admin.post("/admin/domains/example.org/delete", nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "example.org still has accounts or aliases") {
		t.Errorf("delete a used domain: %d\n%s", w.Code, w.Body)
	}
	if w := admin.post("/admin/domains/example.net/delete", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "no longer receives mail for example.net") {
		t.Errorf("delete: %d", w.Code)
	}
	if w := admin.post("/admin/domains/example.net/delete", nil); w.Code != 404 {
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

type fakeDeliveries struct{ recent []Delivery }

func (f fakeDeliveries) Recent(n int) []Delivery { return f.recent[:min(n, len(f.recent))] }
func (f fakeDeliveries) Today(time.Time) (int, int) {
	return 7, 2
}

// Status: version, uptime, listeners up and down, data size, today's
// counts and the recent deliveries with the reasons of refusals.
func TestAdminStatus(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	w := admin.get("/admin/status")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "The delivery log is not available.") {
		t.Errorf("status without a journal: %d\n%s", w.Code, w.Body)
	}
	s.srv.cfg.Started = time.Now().Add(-26*time.Hour - 5*time.Minute)
	s.srv.cfg.Listeners = func() []ListenerStatus {
		return []ListenerStatus{{Name: "smtp", Addr: "[::]:25", Up: true}, {Name: "imaps", Addr: "[::]:993", Up: false}}
	}
	when := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s.srv.cfg.Deliveries = fakeDeliveries{recent: []Delivery{
		{Time: when, From: "a@example.net", To: "nobody@example.org", Reply: "550 5.1.1 <nobody@example.org>: no such user"},
		{Time: when, From: "", To: "admin@example.org", Delivered: true, Reply: "250 2.0.0 queued"},
		{Time: when, From: "b@example.net", To: "full@example.org", Reply: "452 4.3.1 not enough disk space"},
	}}
	body := admin.get("/admin/status").Body.String()
	for _, want := range []string{"zest test", "1 day 2 h", "7 delivered, 2 refused or deferred", "[::]:25", `<span class="bad">down</span>`,
		"nobody@example.org", "550 5.1.1 &lt;nobody@example.org&gt;: no such user", "&lt;&gt;", `href="/admin/backup"`,
		`<span class="bad">deferred</span> <code>452 4.3.1`, `<span class="bad">refused</span> <code>550 5.1.1`} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
	w, out := admin.api("GET", "/api/v1/admin/status", nil)
	if w.Code != 200 || out["version"] != "test" || out["deliveredToday"] != 7.0 || out["rejectedToday"] != 2.0 || out["uptimeSeconds"].(float64) < 26*3600 {
		t.Errorf("API status: %d %s", w.Code, w.Body)
	}
	if l, _ := out["listeners"].([]any); len(l) != 2 || l[1].(map[string]any)["up"] != false {
		t.Errorf("API listeners: %v", out["listeners"])
	}
	if r, _ := out["recent"].([]any); len(r) != 3 || r[0].(map[string]any)["reply"] != "550 5.1.1 <nobody@example.org>: no such user" {
		t.Errorf("API recent: %v", out["recent"])
	}
	if n, ok := out["dataBytes"].(float64); !ok || n <= 0 {
		t.Errorf("API dataBytes: %v", out["dataBytes"])
	}
}

// The backup download is an attachment; restored into a new data
// directory it holds the accounts and their messages.
func TestAdminBackup(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	s.signedInAs("user@example.org", false)
	s.deliver("user@example.org", 5)
	for _, path := range []string{"/admin/backup", "/api/v1/admin/backup"} {
		w := admin.get(path)
		cd := w.Header().Get("Content-Disposition")
		if w.Code != 200 || !strings.HasPrefix(cd, `attachment; filename="zest-backup-`) || !strings.HasSuffix(cd, `.badger"`) || w.Body.Len() == 0 {
			t.Fatalf("%s: %d %v", path, w.Code, w.Header())
		}
		dir := filepath.Join(t.TempDir(), "restored")
		if err := storage.Restore(dir, bytes.NewReader(w.Body.Bytes()), storage.Options{}); err != nil {
			t.Fatal(err)
		}
		st, err := storage.Open(dir, storage.Options{Password: cheapKDF})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		a, err := st.AccountByAddress(ctx, "user@example.org")
		if err != nil {
			t.Fatal(err)
		}
		inbox, err := st.MailboxByName(ctx, a.ID, "INBOX")
		if err != nil || inbox.Messages != 5 {
			t.Errorf("restored INBOX: %+v %v", inbox, err)
		}
		if _, err := st.Authenticate(ctx, "admin@example.org", "password admin@example.org"); err != nil {
			t.Errorf("restored login: %v", err)
		}
		st.Close()
	}
}
