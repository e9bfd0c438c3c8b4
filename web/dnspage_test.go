package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The DNS page lists the records to publish, makes the DKIM key once (a
// replacement needs confirming), and its check says which records are
// there; only administrators reach it, and only for local domains.
func TestDNSPage(t *testing.T) {
	s := newSite(t)
	s.srv.cfg.Resolver = &fakeDNS{mx: map[string][]*net.MX{"example.org": {{Host: "mx.example.org.", Pref: 10}}}}
	admin := s.signedInAs("admin@example.org", true)
	user := s.signedInAs("user@example.org", false)

	w := admin.get("/admin/domains/example.org/dns")
	body := w.Body.String()
	for _, want := range []string{"<code>10 mx.example.org.</code>", "v=spf1 mx -all", "_dmarc.example.org", "_imaps._tcp.example.org", "Make a DKIM key"} {
		if !strings.Contains(body, want) {
			t.Errorf("the DNS page lacks %q", want)
		}
	}
	if w := admin.post("/admin/domains/example.org/dkim", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("make a DKIM key: %d\n%s", w.Code, w.Body)
	}
	key, err := s.store.DKIMKey(t.Context(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	w = admin.get("/admin/domains/example.org/dns?done=dkim")
	if !strings.Contains(w.Body.String(), key.Selector+"._domainkey.example.org") || !strings.Contains(w.Body.String(), "v=DKIM1; k=rsa; p=") {
		t.Errorf("the DKIM record is not shown:\n%s", w.Body)
	}
	if w := admin.post("/admin/domains/example.org/dkim", nil); w.Code != http.StatusConflict {
		t.Errorf("replacing the key without confirmation: %d, want 409", w.Code)
	}
	if again, _ := s.store.DKIMKey(t.Context(), "example.org"); again.Selector != key.Selector || string(again.PrivateKey) != string(key.PrivateKey) {
		t.Error("the key changed without confirmation")
	}
	if w := admin.post("/admin/domains/example.org/dkim", url.Values{"confirm": {"replace"}}); w.Code != http.StatusSeeOther {
		t.Errorf("replacing with confirmation: %d", w.Code)
	}

	w = admin.get("/admin/domains/example.org/dns?check=1")
	body = w.Body.String()
	if !strings.Contains(body, `<td class="ok">ok`) || !strings.Contains(body, `<td class="bad">missing`) {
		t.Errorf("the check shows no ok MX and missing others:\n%s", body)
	}
	if w := admin.get("/api/v1/admin/domains/example.org/dns?check=1"); w.Code != 200 || !strings.Contains(w.Body.String(), `"Status":"missing"`) {
		t.Errorf("the API check: %d %s", w.Code, w.Body)
	}

	if w := admin.get("/admin/domains/elsewhere.org/dns"); w.Code != 404 {
		t.Errorf("a foreign domain: %d, want 404", w.Code)
	}
	for _, path := range []string{"/admin/domains/example.org/dns", "/api/v1/admin/domains/example.org/dns"} {
		if w := user.get(path); w.Code != http.StatusForbidden {
			t.Errorf("a user on %s: %d, want 403", path, w.Code)
		}
	}
	if w := user.post("/admin/domains/example.org/dkim", url.Values{"confirm": {"replace"}}); w.Code != http.StatusForbidden {
		t.Errorf("a user making a DKIM key: %d, want 403", w.Code)
	}
	if w := admin.post("/admin/domains/example.org/dkim", url.Values{"csrf": {"forged"}, "confirm": {"replace"}}); w.Code != http.StatusForbidden {
		t.Errorf("a forged CSRF token: %d, want 403", w.Code)
	}
}
