package imap

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// saveState runs STATE, the given commands (each must be marked STATECMD)
// and SAVESTATE on r, and returns the token.
func (r *rawConn) saveState(cmds ...string) string {
	r.t.Helper()
	r.send("s0 STATE")
	r.untilTagged("s0 OK")
	for i, cmd := range cmds {
		tag := "s" + string(rune('a'+i))
		r.send(tag + " " + cmd)
		lines := r.untilTagged(tag + " OK")
		if !slices.Contains(lines, "* OK [STATECMD "+tag+"] "+strings.Fields(cmd)[0]+" will be saved in state data") {
			r.t.Fatalf("%s not marked: %q", cmd, lines)
		}
	}
	r.send("s9 SAVESTATE")
	lines := r.untilTagged("s9 OK")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "* SAVESTATE ") {
		r.t.Fatalf("SAVESTATE answered %q", lines)
	}
	return strings.TrimPrefix(lines[0], "* SAVESTATE ")
}

// restoreState sends STATE token and reports whether the state came back.
// Either way tracking must be on afterwards: the next ENABLE is marked.
func (r *rawConn) restoreState(token string) bool {
	r.t.Helper()
	r.send("r1 STATE " + token)
	lines := r.untilTagged("r1 OK")
	restored := slices.Equal(lines, []string{"* STATE " + token})
	if !restored && len(lines) != 0 {
		r.t.Fatalf("STATE answered %q", lines)
	}
	r.send("r2 ENABLE UTF8=ACCEPT")
	if lines := r.untilTagged("r2 OK"); !slices.Contains(lines, "* OK [STATECMD r2] ENABLE will be saved in state data") {
		r.t.Fatalf("tracking is off after STATE: %q", lines)
	}
	return restored
}

// selectShowsRev2 selects INBOX and reports whether IMAP4rev2 is enabled
// (RFC 9051 §6.3.2: SELECT then answers with the mailbox's LIST response).
func (r *rawConn) selectShowsRev2() bool {
	r.t.Helper()
	r.send("q1 SELECT INBOX")
	lines := r.untilTagged("q1 OK")
	return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "* LIST ") })
}

// spec: ST-24, ST-27
func TestStateTokenOfAnotherAccountRestoresNothing(t *testing.T) {
	e := newTestEnv(t)
	if _, err := e.store.CreateAccount(context.Background(), "bob@example.org", "bob password"); err != nil {
		t.Fatal(err)
	}
	token := e.rawLoggedIn().saveState("ENABLE IMAP4rev2")
	bob := e.loginAs("bob@example.org", "bob password")
	if bob.restoreState(token) {
		t.Fatal("bob restored alice's state")
	}
	if bob.selectShowsRev2() {
		t.Error("alice's ENABLE took effect in bob's session")
	}
	// The same token still works for alice: the test can tell.
	alice := e.rawLoggedIn()
	if !alice.restoreState(token) || !alice.selectShowsRev2() {
		t.Error("alice could not restore her own state")
	}
}

// spec: ST-23, ST-25, CI-25
func TestStateWithCollectedClientIDRestoresNothing(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	r := e.rawLoggedIn()
	token := r.saveState("CLIENTID", "ENABLE IMAP4rev2")
	clients, err := e.store.Clients(ctx, e.alice.ID)
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients %v, %v", clients, err)
	}
	id := clients[0].ID
	r.send("z LOGOUT")
	r.untilTagged("z OK")
	waitOnline(t, e.store, e.alice.ID, id, false)

	// While the ID exists, the state restores it: the client is online.
	r = e.rawLoggedIn()
	if !r.restoreState(token) {
		t.Fatal("state not restored")
	}
	waitOnline(t, e.store, e.alice.ID, id, true)
	r.send("z LOGOUT")
	r.untilTagged("z OK")
	waitOnline(t, e.store, e.alice.ID, id, false)

	if n, err := e.store.CollectClients(ctx, time.Now().Add(401*24*time.Hour), 0); err != nil || n != 1 {
		t.Fatalf("collected %d, %v", n, err)
	}
	r = e.rawLoggedIn()
	if r.restoreState(token) {
		t.Fatal("a state whose Client-ID was collected was restored")
	}
	if r.selectShowsRev2() {
		t.Error("the ENABLE of a state that was not restored took effect")
	}
	// The session has no Client-ID, so it may ask for one.
	r.clientID("c")
}

// spec: ST-25
func TestStateRestoreIsAllOrNothing(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	lease, err := e.store.NewClient(ctx, e.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := lease.ID
	lease.Release(ctx)
	sub := e.store.Subscribe(e.alice.ID, 16)
	defer sub.Close()
	// The Client-ID is fine; the capability is no longer offered.
	token, err := e.store.SaveState(ctx, e.alice.ID, stateFormat, []storage.StateEffect{
		{Kind: "CLIENTID", Args: []string{id}},
		{Kind: "ENABLE", Args: []string{"IMAP4rev2", "X-WITHDRAWN"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.rawLoggedIn()
	if r.restoreState(token) {
		t.Fatal("restored a state with an effect that cannot be applied")
	}
	if on := e.store.OnlineClients(e.alice.ID); len(on) != 0 {
		t.Errorf("the Client-ID of a state not restored is online: %v", on)
	}
	for len(sub.C) > 0 {
		if ev := <-sub.C; ev.ClientID != "" {
			t.Errorf("a restore that failed published %v for its Client-ID", ev.Kind)
		}
	}
	if r.selectShowsRev2() {
		t.Error("IMAP4rev2 enabled by a state that was not restored")
	}
	r.clientID("c") // no Client-ID was attached
}

// spec: ST-17
func TestStateOfAnotherFormatRestoresNothing(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	effects := []storage.StateEffect{{Kind: "ENABLE", Args: []string{"IMAP4rev2"}}}
	current, err := e.store.SaveState(ctx, e.alice.ID, stateFormat, effects)
	if err != nil {
		t.Fatal(err)
	}
	next, err := e.store.SaveState(ctx, e.alice.ID, stateFormat+1, effects)
	if err != nil {
		t.Fatal(err)
	}
	r := e.rawLoggedIn()
	if r.restoreState(next) || r.selectShowsRev2() {
		t.Error("restored a state written in another format")
	}
	r = e.rawLoggedIn()
	if !r.restoreState(current) || !r.selectShowsRev2() {
		t.Error("did not restore the same effects in the current format")
	}
}

// spec: ST-13, ST-26
func TestStateWhenTheStoreFails(t *testing.T) {
	e := newTestEnv(t)
	token := e.rawLoggedIn().saveState("ENABLE IMAP4rev2")
	saving := e.rawLoggedIn()
	saving.send("a STATE")
	saving.untilTagged("a OK")
	restoring := e.rawLoggedIn()
	e.store.Close()

	saving.send("b SAVESTATE")
	if lines := saving.untilTagged("b NO"); len(lines) != 0 {
		t.Errorf("a failed SAVESTATE sent %q", lines)
	}
	restoring.send("c STATE " + token)
	if lines := restoring.untilTagged("c NO"); len(lines) != 0 {
		t.Errorf("STATE without a store sent %q", lines)
	}
	// Tracking stayed off.
	restoring.send("d ENABLE CONDSTORE")
	if lines := restoring.untilTagged("d OK"); slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "STATECMD") }) {
		t.Errorf("tracking on after a failed STATE: %q", lines)
	}
	restoring.send("e SAVESTATE")
	restoring.expect("e NO nothing to save")
}

// spec: ST-08, ST-09
func TestOnlySaveableCommandsAreMarked(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	r := e.rawLoggedIn()
	r.send("a STATE")
	r.untilTagged("a OK")
	for i, cmd := range []string{
		"CAPABILITY", "NOOP", "ID NIL", "NAMESPACE", `LIST "" *`, "STATUS INBOX (MESSAGES)", "CREATE Work",
		"SUBSCRIBE Work", "SELECT INBOX", "FETCH 1 (FLAGS)", "STORE 1 +FLAGS (\\Seen)", "SEARCH ALL",
		"COPY 1 Work", "EXPUNGE", "EXAMINE Work", "UNSELECT", "ENABLE X-UNKNOWN", `CLIENTID "nope"`,
	} {
		tag := "t" + string(rune('a'+i))
		status := " OK"
		if strings.HasPrefix(cmd, "CLIENTID") {
			status = " BAD"
		}
		r.send(tag + " " + cmd)
		lines := r.untilTagged(tag + status)
		if slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "STATECMD") }) {
			t.Errorf("%s marked: %q", cmd, lines)
		}
	}
	// A saveable command that fails is not marked either.
	r.send("u ENABLE")
	r.expect("u BAD")
	r.send("v CLIENTID")
	lines := r.untilTagged("v OK")
	if len(lines) != 2 || lines[1] != "* OK [STATECMD v] CLIENTID will be saved in state data" {
		t.Errorf("CLIENTID after refused ones: %q", lines)
	}
}

// spec: ST-11, ST-14
func TestSavedSetAccumulates(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	first := r.saveState("ENABLE CONDSTORE", "ENABLE IMAP4rev2", "ENABLE CONDSTORE", "CLIENTID")
	r.send("x ENABLE UTF8=ACCEPT")
	r.untilTagged("x OK")
	r.send("y SAVESTATE")
	second := strings.TrimPrefix(r.untilTagged("y OK")[0], "* SAVESTATE ")
	ctx := context.Background()
	for token, want := range map[string][]string{
		first:  {"CONDSTORE", "IMAP4rev2"},
		second: {"CONDSTORE", "IMAP4rev2", "UTF8=ACCEPT"},
	} {
		st, err := e.store.LoadState(ctx, e.alice.ID, token, stateFormat)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Effects) != 2 || st.Effects[0].Kind != "ENABLE" || !slices.Equal(st.Effects[0].Args, want) || st.Effects[1].Kind != "CLIENTID" || len(st.Effects[1].Args) != 1 {
			t.Errorf("saved %+v, want ENABLE %v and one CLIENTID", st.Effects, want)
		}
	}
	// Both tokens stay valid.
	for _, token := range []string{first, second} {
		if !e.rawLoggedIn().restoreState(token) {
			t.Errorf("token %s not restored", token)
		}
	}
}

// A restored ENABLE QRESYNC is QRESYNC enabled in this connection: the
// QRESYNC select parameter is taken in RFC 7162's form (seq-match data is
// accepted, which draft mode refuses) and expunges arrive as VANISHED.
//
// spec: ST-21, QR-34
func TestRestoredQresyncIsEnabled(t *testing.T) {
	e := newTestEnv(t)
	stored := e.deliver("", message(1), message(2), message(3))
	token := e.rawLoggedIn().saveState("ENABLE QRESYNC")

	r := e.rawLoggedIn()
	if !r.restoreState(token) {
		t.Fatal("the state was not restored")
	}
	uv := e.uidValidity("INBOX")
	r.send(fmt.Sprintf("S SELECT INBOX (QRESYNC (%d 1 1:3 (1:3 1:3)))", uv))
	r.untilTagged("S OK [READ-WRITE]")
	if _, err := e.store.Expunge(context.Background(), e.alice.ID, stored[0].MailboxID, []storage.UID{stored[1].UID}); err != nil {
		t.Fatal(err)
	}
	r.send("N NOOP")
	if lines := r.untilTagged("N OK"); !slices.Contains(lines, fmt.Sprintf("* VANISHED %d", stored[1].UID)) {
		t.Errorf("an expunge after the restore came as %q, want VANISHED", lines)
	}
}
