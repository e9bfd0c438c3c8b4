package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"zest/storage"
)

var cheapKDF = storage.PasswordParams{Time: 1, Memory: 64, Threads: 1}

// site is a web server over a fresh store, driven through its handler.
type site struct {
	t     *testing.T
	store *storage.Store
	srv   *Server
}

func newSite(t *testing.T) *site {
	t.Helper()
	st, err := storage.Open(t.TempDir(), storage.Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := NewServer(st, Config{Hostname: "mx.example.org", Version: "test", SetupCode: "open-sesame",
		Services: Services{Hostname: "mx.example.org", IMAP: 143, IMAPS: 993, Submission: 587, Submissions: 465, ManageSieve: 4190}})
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, store: st, srv: srv}
}

// browser is one client of the site: its cookie and where it connects from.
type browser struct {
	s      *site
	remote string
	cookie *http.Cookie
	csrf   string
}

func (s *site) browser(remote string) *browser { return &browser{s: s, remote: remote} }

// do sends a request and keeps the session cookie it sets.
func (b *browser) do(method, target string, body io.Reader, header map[string]string) *httptest.ResponseRecorder {
	b.s.t.Helper()
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = b.remote + ":40000"
	for k, v := range header {
		r.Header.Set(k, v)
	}
	if b.cookie != nil {
		r.AddCookie(b.cookie)
	}
	w := httptest.NewRecorder()
	b.s.srv.Handler().ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.Name == "zest" {
			b.cookie = c
			if c.MaxAge < 0 {
				b.cookie = nil
			}
		}
	}
	if m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(w.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return w
}

func (b *browser) get(target string) *httptest.ResponseRecorder { return b.do("GET", target, nil, nil) }

// post submits a form, with the page's CSRF token unless the form sets
// its own.
func (b *browser) post(target string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	return b.do("POST", target, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// signedInAs returns a browser signed in as a new account; admin makes it
// an administrator.
func (s *site) signedInAs(address string, admin bool) *browser {
	s.t.Helper()
	ctx := context.Background()
	if _, err := s.store.CreateAccount(ctx, address, "password "+address); err != nil {
		s.t.Fatal(err)
	}
	if admin {
		if err := s.store.SetAdmin(ctx, address, true); err != nil {
			s.t.Fatal(err)
		}
	}
	b := s.browser("127.0.0.1")
	if w := b.post("/login", url.Values{"address": {address}, "password": {"password " + address}}); w.Code != http.StatusSeeOther {
		s.t.Fatalf("sign-in of %s: %d\n%s", address, w.Code, w.Body)
	}
	b.get("/") // picks up the CSRF token
	return b
}

// signedInAs2 signs an existing account in from a second browser.
func (s *site) signedInAs2(address string) *browser {
	s.t.Helper()
	b := s.browser("127.0.0.1")
	if w := b.post("/login", url.Values{"address": {address}, "password": {"password " + address}}); w.Code != http.StatusSeeOther {
		s.t.Fatalf("sign-in of %s: %d", address, w.Code)
	}
	b.get("/")
	return b
}

// postFollow is post that, like a browser, follows the redirect a
// successful form answers with and returns the page it leads to.
func (b *browser) postFollow(target string, form url.Values) *httptest.ResponseRecorder {
	b.s.t.Helper()
	w := b.post(target, form)
	if w.Code == http.StatusSeeOther {
		return b.get(w.Header().Get("Location"))
	}
	return w
}
