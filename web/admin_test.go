package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"zest/storage"
)

// api sends a JSON API call with the session's CSRF token (unless csrf
// is given: "" sends none) and decodes the answer into a map.
func (b *browser) api(method, target string, body any, csrf ...string) (*httptest.ResponseRecorder, map[string]any) {
	b.s.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	} else {
		rd = bytes.NewReader(nil)
	}
	h := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": b.csrf}
	if len(csrf) > 0 {
		h["X-CSRF-Token"] = csrf[0]
	}
	w := b.do(method, target, rd, h)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w, out
}

// deliver puts n messages in address's INBOX.
func (s *site) deliver(address string, n int) {
	s.t.Helper()
	ctx := context.Background()
	a, err := s.store.AccountByAddress(ctx, address)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := range n {
		raw := fmt.Appendf(nil, "From: x@example.net\r\nSubject: %d\r\nMessage-ID: <%d.%s>\r\n\r\nHello %d.\r\n", i, i, address, i)
		if _, err := s.store.Deliver(ctx, storage.Incoming{Raw: raw}, []storage.Target{{Account: a.ID}}); err != nil {
			s.t.Fatal(err)
		}
	}
}

// adminCalls is every administrator's page and API call, with a valid
// request body.
var adminCalls = []struct{ method, path, body string }{
	{"GET", "/admin/users", ""},
	{"POST", "/admin/users", "address=new%40example.org&password=long+enough+password"},
	{"POST", "/admin/users/user@example.org/password", "password=long+enough+password"},
	{"POST", "/admin/users/user@example.org/disable", ""},
	{"POST", "/admin/users/user@example.org/enable", ""},
	{"POST", "/admin/users/user@example.org/admin", "admin=yes"},
	{"GET", "/admin/users/user@example.org/delete", ""},
	{"POST", "/admin/users/user@example.org/delete", "confirm=user%40example.org"},
	{"GET", "/api/v1/admin/users", ""},
	{"POST", "/api/v1/admin/users", `{"address":"new@example.org","password":"long enough password"}`},
	{"PATCH", "/api/v1/admin/users/user@example.org", `{"disabled":true}`},
	{"DELETE", "/api/v1/admin/users/user@example.org", `{"confirm":"user@example.org"}`},
	{"GET", "/admin/aliases", ""},
	{"POST", "/admin/aliases", "from=sales%40example.org&to=admin%40example.org"},
	{"POST", "/admin/aliases/delete", "from=sales%40example.org"},
	{"GET", "/api/v1/admin/aliases", ""},
	{"POST", "/api/v1/admin/aliases", `{"from":"sales@example.org","to":["admin@example.org"]}`},
	{"DELETE", "/api/v1/admin/aliases/sales@example.org", ""},
	{"GET", "/admin/domains", ""},
	{"POST", "/admin/domains", "domain=example.net"},
	{"POST", "/admin/domains/example.net/delete", ""},
	{"GET", "/api/v1/admin/domains", ""},
	{"POST", "/api/v1/admin/domains", `{"domain":"example.net"}`},
	{"DELETE", "/api/v1/admin/domains/example.net", ""},
	{"GET", "/admin/status", ""},
	{"GET", "/api/v1/admin/status", ""},
	{"GET", "/admin/backup", ""},
	{"GET", "/api/v1/admin/backup", ""},
}

func (b *browser) call(method, path, body, csrf string) *httptest.ResponseRecorder {
	b.s.t.Helper()
	h := map[string]string{}
	if strings.HasPrefix(path, "/api/") {
		h["Content-Type"] = "application/json"
		if csrf != "" {
			h["X-CSRF-Token"] = csrf
		}
	} else {
		h["Content-Type"] = "application/x-www-form-urlencoded"
		if csrf != "" {
			if body != "" {
				body += "&"
			}
			body += "csrf=" + url.QueryEscape(csrf)
		}
	}
	return b.do(method, path, strings.NewReader(body), h)
}

// A user who is not an administrator gets 403 on every administrator's
// page and API call, and nothing changes; an administrator's state change
// without the CSRF token, or with a wrong one, gets 403 too.
func TestAdminRefusals(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	user := s.signedInAs("user@example.org", false)
	for _, c := range adminCalls {
		w := user.call(c.method, c.path, c.body, user.csrf)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Only an administrator may do this.") {
			t.Errorf("%s %s as a user: %d %.200s", c.method, c.path, w.Code, w.Body)
		}
		if c.method == "GET" {
			continue
		}
		for _, csrf := range []string{"", "forged"} {
			if w := admin.call(c.method, c.path, c.body, csrf); w.Code != http.StatusForbidden {
				t.Errorf("%s %s as admin with CSRF token %q: %d, want 403", c.method, c.path, csrf, w.Code)
			}
		}
	}
	signedOut := s.browser("127.0.0.1")
	if w := signedOut.get("/admin/users"); w.Code != http.StatusSeeOther {
		t.Errorf("/admin/users signed out: %d", w.Code)
	}
	if w := signedOut.get("/api/v1/admin/status"); w.Code != http.StatusUnauthorized {
		t.Errorf("/api/v1/admin/status signed out: %d", w.Code)
	}
	ctx := context.Background()
	if a, err := s.store.AccountByAddress(ctx, "user@example.org"); err != nil || a.Disabled || a.Admin {
		t.Errorf("the refused calls changed the user: %+v %v", a, err)
	}
	if _, err := s.store.AccountByAddress(ctx, "new@example.org"); err == nil {
		t.Error("a refused call created an account")
	}
	if al, _ := s.store.Aliases(ctx); len(al) != 0 {
		t.Errorf("refused calls added aliases: %v", al)
	}
}
