package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zest/sieve"
	"zest/storage"
)

// decide runs the account's scripts on a message from bob@example.net as
// delivery does.
func decide(t *testing.T, st *storage.Store, address, msg string) *sieve.Decision {
	t.Helper()
	return decideFrom(t, st, "bob@example.net", address, msg)
}

func decideFrom(t *testing.T, st *storage.Store, from, address, msg string) *sieve.Decision {
	t.Helper()
	a, err := st.AccountByAddress(context.Background(), address)
	if err != nil {
		t.Fatal(err)
	}
	d := sieve.NewDeliverer(st, nil)
	return d.Decide(context.Background(), a.ID, sieve.NewRawMessage([]byte(msg)), sieve.Envelope{From: from, To: address})
}

// The filter editor: the live check reports errors at their line; a
// script with errors is not saved; a good one is, becomes active through
// the web's main script, and delivery follows it.
func TestFilterEditor(t *testing.T) {
	s := newSite(t)
	alice := s.signedInAs("alice@example.org", false)
	bob := s.signedInAs("bob@example.org", false)
	ctx := context.Background()
	if w := alice.get("/filter"); w.Code != 200 || !strings.Contains(w.Body.String(), "Your mail filter, in Sieve") || !strings.Contains(w.Body.String(), `src="/static/editor.js"`) {
		t.Fatalf("filter page: %d\n%s", w.Code, w.Body)
	}
	bad := "require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n  fileinto \"Work\"\n}\n"
	w := alice.do("POST", "/api/v1/filter/check", strings.NewReader(`{"script":`+jsonString(bad)+`}`), map[string]string{"X-CSRF-Token": alice.csrf})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"ok":false`) || !strings.Contains(w.Body.String(), `"line":4`) {
		t.Errorf("live check of a broken script: %d %s", w.Code, w.Body)
	}
	if w := alice.do("POST", "/api/v1/filter/check", strings.NewReader(`{"script":"keep;"}`), nil); w.Code != http.StatusForbidden {
		t.Errorf("live check without the CSRF header: %d", w.Code)
	}
	w = alice.post("/filter", url.Values{"script": {bad}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Line 4, column 1") || !strings.Contains(w.Body.String(), "was not saved") {
		t.Errorf("saving a broken script: %d\n%s", w.Code, w.Body)
	}
	if sc, _ := s.store.ActiveScript(ctx, mustID(t, s, "alice@example.org")); sc != nil {
		t.Errorf("a broken script became active: %+v", sc)
	}
	good := strings.Replace(bad, `fileinto "Work"`, `fileinto :create "Work";`, 1)
	good = strings.Replace(good, `require "fileinto";`, `require ["fileinto", "mailbox"];`, 1)
	if w := alice.post("/filter", url.Values{"script": {good}}); w.Code != http.StatusSeeOther {
		t.Fatalf("saving a good script: %d\n%s", w.Code, w.Body)
	}
	if w := alice.get("/filter?done=saved"); !strings.Contains(w.Body.String(), `fileinto :create &#34;Work&#34;;`) {
		t.Errorf("the saved script is not shown:\n%s", w.Body)
	}
	if sc, _ := s.store.ActiveScript(ctx, mustID(t, s, "alice@example.org")); sc == nil || sc.Name != mainScript {
		t.Errorf("active script after saving: %+v, want %s", sc, mainScript)
	}
	dec := decide(t, s.store, "alice@example.org", "Subject: x marks\r\n\r\nhi\r\n")
	if dec.Err != nil || len(dec.Targets) != 1 || dec.Targets[0].Mailbox != "Work" {
		t.Errorf("delivery after saving: %+v", dec)
	}
	// Bob's page shows his own (starter) filter, not Alice's.
	if w := bob.get("/filter"); strings.Contains(w.Body.String(), "Work") {
		t.Error("bob sees alice's filter")
	}
	// A script activated by a mail client is edited directly.
	if err := s.store.PutScript(ctx, mustID(t, s, "bob@example.org"), "mine", []byte("keep;\n")); err != nil {
		t.Fatal(err)
	}
	s.store.SetActive(ctx, mustID(t, s, "bob@example.org"), "mine")
	if w := bob.get("/filter"); !strings.Contains(w.Body.String(), "<strong>mine</strong>") {
		t.Errorf("the page does not say it edits the client's script:\n%s", w.Body)
	}
	if w := bob.post("/filter", url.Values{"script": {"discard;\n"}}); w.Code != http.StatusSeeOther {
		t.Errorf("saving bob's script: %d", w.Code)
	}
	if sc, _ := s.store.GetScript(ctx, mustID(t, s, "bob@example.org"), "mine"); string(sc.Content) != "discard;\n" {
		t.Errorf("bob's script: %q", sc.Content)
	}
}

// The vacation form writes a script that delivery runs with the filter;
// it is shown filled in again; bad input is refused with a reason.
func TestVacationPage(t *testing.T) {
	s := newSite(t)
	alice := s.signedInAs("alice@example.org", false)
	form := url.Values{"enabled": {"on"}, "subject": {"Away"}, "message": {"I am \"away\" until Monday.\nUrgent: call Bob."}, "days": {"3"}}
	if w := alice.post("/vacation", form); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", w.Code, w.Body)
	}
	w := alice.get("/vacation?done=saved")
	if !strings.Contains(w.Body.String(), "each at most once every 3 days") || !strings.Contains(w.Body.String(), "I am &#34;away&#34; until Monday.") || !strings.Contains(w.Body.String(), "checked") {
		t.Errorf("the page after saving:\n%s", w.Body)
	}
	dec := decide(t, s.store, "alice@example.org", "From: bob@example.net\r\nTo: alice@example.org\r\nSubject: lunch\r\n\r\nhi\r\n")
	if dec.Err != nil || dec.Vacation == nil || dec.Vacation.Days != 3 || !strings.Contains(dec.Vacation.Reason, "Urgent: call Bob.") {
		t.Errorf("delivery after saving: %+v", dec)
	}
	// The reply sits in an included script; mail to the user's alias is
	// still answered (SV-38).
	if err := s.store.AddAlias(context.Background(), "al@example.org", "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	dec = decideFrom(t, s.store, "carol@example.net", "alice@example.org", "From: carol@example.net\r\nTo: al@example.org\r\nSubject: hi\r\n\r\nhi\r\n")
	if dec.Err != nil || dec.Vacation == nil {
		t.Errorf("mail to the user's alias got no reply: %+v", dec)
	}
	for _, tc := range []struct{ field, value, want string }{
		{"days", "0", "days"},
		{"days", "many", "not a number"},
		{"start", "next week", "not a date"},
		{"message", "", "message"},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(tc.field, tc.value)
		if w := alice.post("/vacation", f); w.Code != 400 || !strings.Contains(strings.ToLower(w.Body.String()), tc.want) {
			t.Errorf("%s=%q: %d, want 400 mentioning %q", tc.field, tc.value, w.Code, tc.want)
		}
	}
	// Turning it off keeps the text and stops the replies.
	form.Del("enabled")
	if w := alice.post("/vacation", form); w.Code != http.StatusSeeOther {
		t.Fatalf("turn off: %d", w.Code)
	}
	if dec := decide(t, s.store, "alice@example.org", "From: bob@example.net\r\nTo: alice@example.org\r\nSubject: lunch\r\n\r\nhi\r\n"); dec.Vacation != nil {
		t.Error("a reply after turning it off")
	}
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// The filter and vacation API calls: saved only with the CSRF header and a
// valid body, for the signed-in user only.
func TestFilterAndVacationAPI(t *testing.T) {
	s := newSite(t)
	alice := s.signedInAs("alice@example.org", false)
	anon := s.browser("127.0.0.1")
	put := func(b *browser, path, body string, csrf bool) int {
		h := map[string]string{"Content-Type": "application/json"}
		if csrf {
			h["X-CSRF-Token"] = b.csrf
		}
		return b.do("PUT", path, strings.NewReader(body), h).Code
	}
	if c := put(anon, "/api/v1/filter", `{"script":"keep;"}`, false); c != http.StatusUnauthorized {
		t.Errorf("PUT filter signed out: %d", c)
	}
	if c := put(alice, "/api/v1/filter", `{"script":"keep;"}`, false); c != http.StatusForbidden {
		t.Errorf("PUT filter without CSRF: %d", c)
	}
	if c := put(alice, "/api/v1/filter", `{"script":"keep"}`, true); c != http.StatusUnprocessableEntity {
		t.Errorf("PUT a broken filter: %d, want 422", c)
	}
	if c := put(alice, "/api/v1/filter", `{"script":1}`, true); c != http.StatusBadRequest {
		t.Errorf("PUT a bad body: %d, want 400", c)
	}
	if c := put(alice, "/api/v1/filter", `{"script":"discard;"}`, true); c != http.StatusOK {
		t.Errorf("PUT a good filter: %d", c)
	}
	if c := put(alice, "/api/v1/vacation", `{"enabled":true,"message":"Away.","days":0}`, true); c != http.StatusBadRequest {
		t.Errorf("PUT vacation with 0 days: %d, want 400", c)
	}
	if c := put(alice, "/api/v1/vacation", `{"enabled":true,"message":"Away.","days":5,"start":"2026-12-01"}`, true); c != http.StatusNoContent {
		t.Errorf("PUT vacation: %d", c)
	}
	w := alice.get("/api/v1/vacation")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"days":5`) || !strings.Contains(w.Body.String(), `"start":"2026-12-01"`) {
		t.Errorf("GET vacation: %d %s", w.Code, w.Body)
	}
	if w := anon.get("/api/v1/vacation"); w.Code != http.StatusUnauthorized {
		t.Errorf("GET vacation signed out: %d", w.Code)
	}
}
