package imap

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// clientID sends CLIENTID without argument and returns the new ID. The ID
// must be the only response before the tagged OK, but for STATECMD when
// tracking is on.
func (r *rawConn) clientID(tag string) string {
	r.t.Helper()
	r.send(tag + " CLIENTID")
	lines := r.untilTagged(tag + " OK")
	m := regexp.MustCompile(`^\* "([A-Za-z0-9]{1,64})"$`).FindStringSubmatch(lines[0])
	if m == nil || len(lines) > 2 || len(lines) == 2 && !strings.HasPrefix(lines[1], "* OK [STATECMD "+tag+"] ") {
		r.t.Fatalf("CLIENTID answered %q", lines)
	}
	return m[1]
}

// loginAs connects and logs in with the given credentials.
func (e *testEnv) loginAs(user, pass string) *rawConn {
	r := e.raw()
	r.send(`L LOGIN ` + user + ` "` + pass + `"`)
	r.untilTagged("L OK")
	return r
}

// waitOnline waits until the store's registry says id is (or is not) online.
func waitOnline(t *testing.T, s *storage.Store, a storage.AccountID, id string, want bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.ClientOnline(a, id) != want {
		if time.Now().After(deadline) {
			t.Fatalf("client %s online = %v, want %v", id, !want, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// spec: CI-01, ST-01
func TestClientIDAndStateAdvertisedAfterLogin(t *testing.T) {
	e := newTestEnv(t)
	r := e.raw()
	r.send("A1 CAPABILITY")
	before := strings.Fields(r.untilTagged("A1 OK")[0])
	r.send(`A2 LOGIN alice@example.org "alice password"`)
	atLogin := strings.Fields(r.untilTagged("A2 OK")[0])
	r.send("A3 CAPABILITY")
	after := strings.Fields(r.untilTagged("A3 OK")[0])
	for _, name := range []string{"X-DRAFT-CLIENTID-00", "STATE"} {
		if slices.Contains(before, name) {
			t.Errorf("%s advertised before login", name)
		}
		if !slices.Contains(atLogin, name) || !slices.Contains(after, name) {
			t.Errorf("%s not advertised after login: %v", name, after)
		}
	}
	for _, name := range []string{"CLIENTID", "STORE"} { // CI-09; the STATE draft's typo
		if slices.Contains(after, name) {
			t.Errorf("%s advertised", name)
		}
	}
}

// spec: CI-18, CI-25, CI-26
func TestUnknownClientIDAnswersReadTheSame(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if _, err := e.store.CreateAccount(ctx, "bob@example.org", "bob password"); err != nil {
		t.Fatal(err)
	}
	carol, err := e.store.CreateAccount(ctx, "carol@example.org", "carol password")
	if err != nil {
		t.Fatal(err)
	}
	// An ID garbage-collected after 401 days unseen.
	r := e.rawLoggedIn()
	collected := r.clientID("a")
	r.send("b LOGOUT")
	r.untilTagged("b OK")
	waitOnline(t, e.store, e.alice.ID, collected, false)
	if n, err := e.store.CollectClients(ctx, time.Now().Add(401*24*time.Hour), 0); err != nil || n != 1 {
		t.Fatalf("collected %d, %v", n, err)
	}
	// A live ID of alice's, and one of an account since deleted.
	live := e.rawLoggedIn().clientID("a")
	rc := e.loginAs("carol@example.org", "carol password")
	deleted := rc.clientID("a")
	rc.send("b LOGOUT")
	rc.untilTagged("b OK")
	waitOnline(t, e.store, carol.ID, deleted, false)
	if err := e.store.DeleteAccount(ctx, "carol@example.org"); err != nil {
		t.Fatal(err)
	}

	bob := e.loginAs("bob@example.org", "bob password")
	alice := e.rawLoggedIn()
	var answers []string
	for _, tc := range []struct {
		r  *rawConn
		id string
	}{
		{bob, live}, {bob, collected}, {bob, "0Lame1Client2ID3"}, {bob, deleted},
		{alice, collected}, {alice, deleted}, {alice, strings.Repeat("Z", 64)},
	} {
		tc.r.send(`x CLIENTID "` + tc.id + `"`)
		answers = append(answers, tc.r.line())
	}
	for _, a := range answers {
		if a != "x BAD [NONEXISTENT] unknown Client-ID" {
			t.Errorf("answers differ or are not BAD [NONEXISTENT]: %q", answers)
			break
		}
	}
	// None of the refused IDs was taken into use: the sessions have none.
	bob.clientID("y")
	alice.clientID("y")
}

// spec: CI-02, CI-06, CI-07, CI-19
func TestRefusedClientIDChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	sub := e.store.Subscribe(e.alice.ID, 64)
	defer sub.Close()
	r := e.raw()
	r.send("a CLIENTID")
	r.expect("a BAD")
	r.send(`L LOGIN alice@example.org "alice password"`)
	r.untilTagged("L OK")
	for _, cmd := range []string{`CLIENTID abc`, `CLIENTID ""`, `CLIENTID NIL`, `CLIENTID {3}`, `CLIENTID UUID "x"`,
		`CLIENTID "a" "b"`, `CLIENTID "` + strings.Repeat("a", 257) + `"`, `CLIENTID "0Lame1Client2ID3"`, `CLIENTID ("x")`} {
		r.send("b " + cmd)
		r.expect("b BAD")
	}
	if list, err := e.store.Clients(ctx, e.alice.ID); err != nil || len(list) != 0 {
		t.Errorf("refused commands stored IDs: %v, %v", list, err)
	}
	if on := e.store.OnlineClients(e.alice.ID); len(on) != 0 {
		t.Errorf("refused commands made clients online: %v", on)
	}
	for len(sub.C) > 0 {
		if ev := <-sub.C; ev.Kind == storage.ClientOnline {
			t.Errorf("refused command published %v", ev.Kind)
		}
	}
	// An ID of exactly 256 octets is not a syntax error, only unknown.
	r.send(`c CLIENTID "` + strings.Repeat("a", 256) + `"`)
	r.expect("c BAD [NONEXISTENT]")
}

// spec: CI-21, CI-23, CI-27, CI-28
func TestClientOnlineUntilItsLastSessionEnds(t *testing.T) {
	e := newTestEnvConfig(t, func(c *Config) { c.IdleTimeout = 2 * time.Second })
	ctx := context.Background()
	sub := e.store.Subscribe(e.alice.ID, 64)
	defer sub.Close()
	first := e.rawLoggedIn()
	id := first.clientID("a")
	if !e.store.ClientOnline(e.alice.ID, id) {
		t.Fatal("not online after CLIENTID")
	}
	second := e.rawLoggedIn()
	second.send(`a CLIENTID "` + id + `"`)
	second.untilTagged("a OK")
	third := e.rawLoggedIn()
	third.send(`a CLIENTID "` + id + `"`)
	third.untilTagged("a OK")

	first.send("z LOGOUT") // one of three sessions ends by LOGOUT
	first.untilTagged("z OK")
	second.nc.Close() // one by losing its connection
	time.Sleep(100 * time.Millisecond)
	if !e.store.ClientOnline(e.alice.ID, id) {
		t.Fatal("offline while a session still uses the ID")
	}
	before := time.Now()
	third.expect("* BYE autologout") // and the last by autologout
	waitOnline(t, e.store, e.alice.ID, id, false)
	c, err := e.store.Client(ctx, e.alice.ID, id)
	if err != nil || c.LastSeen.Before(before) {
		t.Errorf("last seen %v not updated when the last session ended at %v (%v)", c, before, err)
	}
	var kinds []string
	for len(sub.C) > 0 {
		if ev := <-sub.C; ev.ClientID == id {
			kinds = append(kinds, ev.Kind.String())
		}
	}
	if want := []string{"vnd.zest.ClientOnline", "vnd.zest.ClientOffline"}; !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}

	// UNAUTHENTICATE ends the use too; the session may then use another ID.
	r := e.rawLoggedIn()
	r.send(`a CLIENTID "` + id + `"`)
	r.untilTagged("a OK")
	r.send("b UNAUTHENTICATE")
	r.untilTagged("b OK")
	waitOnline(t, e.store, e.alice.ID, id, false)
	r.send(`c LOGIN alice@example.org "alice password"`)
	r.untilTagged("c OK")
	r.clientID("d")

	// And so does the server's shutdown.
	r2 := e.rawLoggedIn()
	r2.send(`a CLIENTID "` + id + `"`)
	r2.untilTagged("a OK")
	shut, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	e.srv.Shutdown(shut)
	waitOnline(t, e.store, e.alice.ID, id, false)
	if on := e.store.OnlineClients(e.alice.ID); len(on) != 0 {
		t.Errorf("online after shutdown: %v", on)
	}
}
