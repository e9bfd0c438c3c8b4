package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every response carries the security headers; the embedded stylesheet is
// served; an unknown page is a 404 page.
func TestSecurityHeadersAndAssets(t *testing.T) {
	s := newSite(t)
	b := s.browser("127.0.0.1")
	for _, path := range []string{"/login", "/static/app.css", "/no/such/page", "/api/v1/me"} {
		w := b.get(path)
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if w.Header().Get("X-Frame-Options") != "DENY" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, w.Header())
		}
	}
	if w := b.get("/static/app.css"); w.Code != 200 || !strings.Contains(w.Body.String(), "--accent") {
		t.Errorf("app.css: %d", w.Code)
	}
	if w := b.get("/no/such/page"); w.Code != 404 || !strings.Contains(w.Body.String(), "There is no such page") {
		t.Errorf("unknown page: %d %s", w.Code, w.Body)
	}
	if w := b.get("/api/v1/me"); w.Code != 401 || !strings.Contains(w.Body.String(), `"error":"sign in first"`) {
		t.Errorf("API without a session: %d %s", w.Code, w.Body)
	}
}

// First run: the site sends everyone to setup; from loopback setup needs
// no code, from elsewhere it needs the printed code; it creates the domain
// and the administrator, signs them in, and is closed afterwards.
func TestFirstRunSetup(t *testing.T) {
	s := newSite(t)
	remote := s.browser("192.0.2.7")
	if w := remote.get("/"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Fatalf("/ signed out: %d %v", w.Code, w.Header())
	}
	if w := remote.get("/login"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/setup" {
		t.Fatalf("/login before setup: %d %v", w.Code, w.Header())
	}
	w := remote.get("/setup")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="code"`) {
		t.Fatalf("setup from another machine must ask for the code: %d\n%s", w.Code, w.Body)
	}
	form := url.Values{"domain": {"Example.org"}, "address": {"admin@example.org"}, "password": {"a long password"}, "password2": {"a long password"}}
	if w := remote.post("/setup", form); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "setup code is wrong") {
		t.Errorf("setup without the code from another machine: %d\n%s", w.Code, w.Body)
	}
	local := s.browser("127.0.0.1")
	if w := local.get("/setup"); strings.Contains(w.Body.String(), `name="code"`) {
		t.Error("setup from loopback asks for the code")
	}
	for _, bad := range []struct{ field, value, want string }{
		{"domain", "not a domain", "not a valid domain"},
		{"address", "admin@elsewhere.org", "must be at the mail domain"},
		{"password2", "another password", "two passwords differ"},
		{"password", "short", "at least 10 characters"},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(bad.field, bad.value)
		if bad.field == "password" {
			f.Set("password2", bad.value)
		}
		if w := local.post("/setup", f); w.Code != 400 || !strings.Contains(w.Body.String(), bad.want) {
			t.Errorf("setup with %s=%q: %d, want 400 %q", bad.field, bad.value, w.Code, bad.want)
		}
	}
	form.Set("code", "open-sesame")
	if w := remote.post("/setup", form); w.Code != http.StatusSeeOther {
		t.Fatalf("setup with the code: %d\n%s", w.Code, w.Body)
	}
	if w := remote.get("/"); w.Code != 200 || !strings.Contains(w.Body.String(), "admin@example.org") || !strings.Contains(w.Body.String(), "/admin/users") {
		t.Errorf("home after setup: %d\n%s", w.Code, w.Body)
	}
	if w := local.get("/setup"); w.Code != http.StatusSeeOther {
		t.Errorf("setup after setup: %d, want a redirect to sign in", w.Code)
	}
	if w := local.post("/setup", form); w.Code != http.StatusForbidden {
		t.Errorf("a second setup: %d, want 403", w.Code)
	}
	if doms, _ := s.store.Domains(t.Context()); len(doms) != 1 || doms[0] != "example.org" {
		t.Errorf("domains after setup: %v", doms)
	}
}

// Sign-in refuses wrong passwords with one message for every reason;
// sign-out needs the CSRF token and ends the session.
func TestSignInAndOut(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	b := s.browser("127.0.0.1")
	for _, creds := range [][2]string{{"admin@example.org", "not-the-password-9"}, {"nobody@example.org", "password nobody@example.org"}} {
		w := b.post("/login", url.Values{"address": {creds[0]}, "password": {creds[1]}})
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "The address or the password is wrong.") {
			t.Errorf("sign-in as %s: %d", creds[0], w.Code)
		}
		if strings.Contains(w.Body.String(), creds[1]) {
			t.Error("the page shows the password that was typed")
		}
	}
	remote := s.browser("192.0.2.7")
	if w := remote.post("/login", url.Values{"address": {"admin@example.org"}, "password": {"password admin@example.org"}}); w.Code != http.StatusForbidden || remote.cookie != nil {
		t.Errorf("a plain-HTTP sign-in from another machine: %d, want 403 and no session", w.Code)
	}
	if w := admin.post("/logout", url.Values{"csrf": {"forged"}}); w.Code != http.StatusForbidden {
		t.Errorf("sign-out with a wrong CSRF token: %d, want 403", w.Code)
	}
	if w := admin.get("/api/v1/me"); w.Code != 200 || !strings.Contains(w.Body.String(), `"admin":true`) {
		t.Errorf("/api/v1/me: %d %s", w.Code, w.Body)
	}
	if w := admin.post("/logout", nil); w.Code != http.StatusSeeOther {
		t.Errorf("sign-out: %d", w.Code)
	}
	if w := admin.get("/"); w.Code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want a redirect to sign in", w.Code)
	}
}

// The autoconfiguration endpoints are mounted without a session and
// answer for local domains only.
func TestAutoconfigMounted(t *testing.T) {
	s := newSite(t)
	if err := s.store.AddDomain(t.Context(), "example.org"); err != nil {
		t.Fatal(err)
	}
	b := s.browser("192.0.2.7")
	if w := b.get("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice@example.org"); w.Code != 200 || !strings.Contains(w.Body.String(), "<hostname>mx.example.org</hostname>") {
		t.Errorf("Thunderbird autoconfig: %d\n%s", w.Code, w.Body)
	}
	if w := b.get("/mail/config-v1.1.xml?emailaddress=alice@elsewhere.org"); w.Code != 404 {
		t.Errorf("autoconfig for a foreign domain: %d", w.Code)
	}
	if w := b.get("/apple/mobileconfig?email=alice@example.org"); w.Code != 200 || w.Header().Get("Content-Type") != "application/x-apple-aspen-config" {
		t.Errorf("Apple profile: %d %v", w.Code, w.Header())
	}
	req := `<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>alice@example.org</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`
	if w := b.do("POST", "/autodiscover/autodiscover.xml", strings.NewReader(req), map[string]string{"Content-Type": "text/xml"}); w.Code != 200 || !strings.Contains(w.Body.String(), "<Server>mx.example.org</Server>") {
		t.Errorf("Outlook autodiscover: %d\n%s", w.Code, w.Body)
	}
}

// A successful admin form answers with a redirect to its page, which
// shows what was done once: reloading neither sends the form again nor
// repeats the notice.
func TestFormRedirectsWithNotice(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	w := admin.post("/admin/domains", url.Values{"domain": {"example.net"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/domains" {
		t.Fatalf("add a domain: %d %v", w.Code, w.Header())
	}
	first := admin.get("/admin/domains").Body.String()
	again := admin.get("/admin/domains").Body.String()
	if !strings.Contains(first, `class="notice"`) || strings.Contains(again, `class="notice"`) {
		t.Errorf("the notice should show once: first has it %v, reload has it %v", strings.Contains(first, `class="notice"`), strings.Contains(again, `class="notice"`))
	}
	if w := admin.get("/admin/domains?notice=You+were+hacked"); strings.Contains(w.Body.String(), "hacked") {
		t.Error("a notice comes from the URL")
	}
}
