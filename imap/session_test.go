package imap

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"zest/storage"
)

func TestGreetingAndCapabilities(t *testing.T) {
	e := newTestEnv(t)
	r := e.raw()
	r.send("A1 CAPABILITY")
	lines := r.untilTagged("A1 OK")
	caps := strings.Fields(strings.TrimPrefix(lines[0], "* CAPABILITY "))
	for _, want := range []string{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN", "SASL-IR", "LITERAL+", "ID", "ENABLE"} {
		if !slices.Contains(caps, want) {
			t.Errorf("capability %s missing before login: %v", want, caps)
		}
	}
	r.send(`A2 LOGIN alice@example.org "alice password"`)
	lines = r.untilTagged("A2 OK")
	caps = strings.Fields(strings.TrimPrefix(lines[0], "* CAPABILITY "))
	for _, want := range []string{"IDLE", "UIDPLUS", "MOVE", "NAMESPACE", "UNSELECT", "SPECIAL-USE", "CHILDREN"} {
		if !slices.Contains(caps, want) {
			t.Errorf("capability %s missing after login: %v", want, caps)
		}
	}
	if slices.Contains(caps, "STARTTLS") || slices.Contains(caps, "AUTH=PLAIN") {
		t.Errorf("pre-login capabilities advertised after login: %v", caps)
	}
	r.send("A3 LOGOUT")
	r.expect("* BYE")
	r.expect("A3 OK")
}

func TestLoginFailuresAreSlowedAndLimited(t *testing.T) {
	e := newTestEnv(t)
	r := e.raw()
	start := time.Now()
	r.send(`A1 LOGIN alice@example.org wrong`)
	r.expect("A1 NO [AUTHENTICATIONFAILED]")
	r.send(`A2 LOGIN nobody@example.org wrong`)
	r.expect("A2 NO [AUTHENTICATIONFAILED]")
	if time.Since(start) < 500*time.Millisecond {
		t.Errorf("two failed logins answered in %v: failures must be delayed", time.Since(start))
	}
	// After the limit the address must wait, even with the right password.
	addr := netip.MustParseAddr("127.0.0.1")
	for range storage.MaxLoginFailures {
		e.store.LoginLimiter().Failed(addr)
	}
	r.send(`A3 LOGIN alice@example.org "alice password"`)
	r.expect("A3 NO [UNAVAILABLE]")
	e.store.LoginLimiter().Succeeded(addr)
	r.send(`A4 LOGIN alice@example.org "alice password"`)
	r.untilTagged("A4 OK")
}

func TestAuthenticatePlainAndLogin(t *testing.T) {
	e := newTestEnv(t)
	r := e.raw()
	// SASL-IR: "\x00alice@example.org\x00alice password"
	r.send("A1 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlIHBhc3N3b3Jk")
	r.untilTagged("A1 OK")
	r = e.raw()
	r.send("B1 AUTHENTICATE PLAIN")
	r.expect("+ ")
	r.send("AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlIHBhc3N3b3Jk")
	r.untilTagged("B1 OK")
	r = e.raw()
	r.send("C1 AUTHENTICATE LOGIN")
	r.expect("+ VXNlcm5hbWU6") // "Username:"
	r.send("YWxpY2VAZXhhbXBsZS5vcmc=")
	r.expect("+ UGFzc3dvcmQ6") // "Password:"
	r.send("YWxpY2UgcGFzc3dvcmQ=")
	r.untilTagged("C1 OK")
	r = e.raw()
	r.send("D1 AUTHENTICATE PLAIN")
	r.expect("+ ")
	r.send("*")
	r.expect("D1 BAD")
	r.send("D2 AUTHENTICATE CRAM-MD5")
	r.expect("D2 NO")
}

func TestPlaintextNeedsTLSOffLoopback(t *testing.T) {
	c := &conn{remote: netip.MustParseAddr("192.0.2.7")}
	if c.plaintextOK() {
		t.Error("plaintext allowed from a remote address without TLS")
	}
	c.tls = true
	if !c.plaintextOK() {
		t.Error("plaintext refused over TLS")
	}
	c = &conn{remote: netip.MustParseAddr("::1")}
	if !c.plaintextOK() {
		t.Error("plaintext refused on loopback")
	}
}

func TestSTARTTLS(t *testing.T) {
	e := newTestEnv(t)
	c, err := imapclient.DialStartTLS(e.addr, &imapclient.Options{TLSConfig: &tls.Config{ServerName: "imap.zest.test", InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice@example.org", "alice password").Wait(); err != nil {
		t.Fatal(err)
	}
	if caps := c.Caps(); caps.Has("STARTTLS") {
		t.Error("STARTTLS advertised after TLS")
	}
	// Commands pipelined behind STARTTLS must not run as if encrypted.
	r := e.raw()
	r.write("A1 STARTTLS\r\nA2 LOGIN alice@example.org x\r\n")
	r.expect("A1 BAD")
}

func TestBadInput(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	for _, tc := range []struct{ send, want string }{
		{"A1 FROBNICATE", "A1 BAD"},
		{"A2 SELECT", "A2 BAD"},
		{`A3 SELECT "unterminated`, "A3 BAD"},
		{"A4 FETCH 1 FLAGS", "A4 BAD"}, // no mailbox selected
		{"+ NOOP", "* BAD"},
		{"A5 NOOP extra", "A5 BAD"},
		{"A6 STATUS INBOX (BOGUS)", "A6 BAD"},
		{"A7 LOGIN a b", "A7 BAD"}, // already logged in
	} {
		r.send(tc.send)
		r.untilTagged(tc.want)
	}
	// A synchronising literal over the limit is refused before it is sent.
	r.send("A8 CREATE {999999999999}")
	r.expect("A8 BAD [TOOBIG]")
	r.send("A9 NOOP")
	r.expect("A9 OK")
	// The session survives all of it.
	r.send("A10 LOGOUT")
	r.expect("* BYE")
}

func TestUnknownCommandBeforeLoginEndsTheConnection(t *testing.T) {
	e := newTestEnv(t)
	r := e.raw()
	r.send("GET / HTTP/1.1")
	r.expect("GET BAD")
	r.send("Host: example.org")
	r.expect("* BYE")
}

func TestMailboxCommands(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	for _, name := range []string{"Projects/Zest", "Projects/Other", "台北"} {
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	if err := c.Create("Projects/Zest", nil).Wait(); err == nil || !strings.Contains(err.Error(), "ALREADYEXISTS") {
		t.Errorf("create twice: %v", err)
	}
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]imap.MailboxAttr{}
	for _, l := range list {
		got[l.Mailbox] = l.Attrs
	}
	if !slices.Contains(got["Projects"], imap.MailboxAttrHasChildren) || !slices.Contains(got["Projects/Zest"], imap.MailboxAttrHasNoChildren) {
		t.Errorf("children attributes: %v", got)
	}
	if !slices.Contains(got["Sent"], imap.MailboxAttrSent) || !slices.Contains(got["Trash"], imap.MailboxAttrTrash) {
		t.Errorf("special-use attributes: %v", got)
	}
	if _, ok := got["台北"]; !ok {
		t.Errorf("UTF-7 mailbox name: %v", got)
	}
	list, _ = c.List("", "Projects/%", nil).Collect()
	if len(list) != 2 {
		t.Errorf("LIST Projects/%%: %d results", len(list))
	}
	list, _ = c.List("", "%", nil).Collect()
	for _, l := range list {
		if strings.Contains(l.Mailbox, "/") {
			t.Errorf("%% matched a child: %s", l.Mailbox)
		}
	}
	if err := c.Rename("Projects", "Archive/Projects", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("Archive/Projects").Wait(); err == nil {
		t.Error("deleting a mailbox with children succeeded")
	}
	if err := c.Delete("Archive/Projects/Zest").Wait(); err != nil {
		t.Error(err)
	}
	if err := c.Delete("Nope").Wait(); err == nil || !strings.Contains(err.Error(), "NONEXISTENT") {
		t.Errorf("delete missing: %v", err)
	}
	e.deliver("", message(1), message(2))
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, NumUnseen: true, Size: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *st.NumMessages != 2 || st.UIDNext != 3 || *st.NumUnseen != 2 || st.UIDValidity == 0 || *st.Size == 0 {
		t.Errorf("status %+v", st)
	}
	if err := c.Unsubscribe("Sent").Wait(); err != nil {
		t.Fatal(err)
	}
	lsub, _ := c.List("", "*", &imap.ListOptions{SelectSubscribed: true}).Collect()
	for _, l := range lsub {
		if l.Mailbox == "Sent" {
			t.Error("unsubscribed mailbox still subscribed")
		}
	}
}

func TestMatchPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*", "a/b/c", true}, {"%", "a", true}, {"%", "a/b", false}, {"a/%", "a/b", true}, {"a/%", "a/b/c", false},
		{"a*", "abc/d", true}, {"*c", "a/b/c", true}, {"%/%", "a/b", true}, {"inbox", "INBOX", true},
		{"INBOX/%", "INBOX/x", true}, {"a%c", "abc", true}, {"a%c", "ab/c", false}, {"", "a", false},
	} {
		if got := matchPattern(tc.pattern, tc.name); got != tc.want {
			t.Errorf("matchPattern(%q, %q) = %v", tc.pattern, tc.name, got)
		}
	}
}

func TestSelectAndCounts(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	r := e.rawLoggedIn()
	r.send("S1 SELECT inbox")
	lines := strings.Join(r.untilTagged("S1 OK [READ-WRITE]"), "\n")
	for _, want := range []string{"* 3 EXISTS", "* 0 RECENT", "[UNSEEN 1]", "[UIDVALIDITY ", "[UIDNEXT 4]", `[PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)]`} {
		if !strings.Contains(lines, want) {
			t.Errorf("SELECT lacks %q:\n%s", want, lines)
		}
	}
	r.send("S2 EXAMINE Sent")
	r.untilTagged("S2 OK [READ-ONLY]")
	r.send("S3 SELECT Nope")
	r.expect("* OK [CLOSED]") // spec: QR-58 (also when the new SELECT fails)
	r.expect("S3 NO [NONEXISTENT]")
	r.send("S4 CLOSE") // the failed SELECT ended the selection
	r.expect("S4 BAD")
}

// TestIdleSeesNewMailQuickly: a message delivered while a client idles is
// announced within 100 ms.
func TestIdleSeesNewMailQuickly(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1))
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	r.send("I IDLE")
	r.expect("+ ")
	for i := 2; i <= 4; i++ {
		start := time.Now()
		e.deliver("", message(i))
		r.expect("* " + string(rune('0'+i)) + " EXISTS")
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("new mail reached IDLE after %v", d)
		}
	}
	r.send("DONE")
	r.expect("I OK")
}

// TestOtherSessionsChanges: changes by others reach a session as EXISTS,
// FETCH FLAGS and EXPUNGE at the moments RFC 3501 allows.
func TestOtherSessionsChanges(t *testing.T) {
	e := newTestEnv(t)
	stored := e.deliver("", message(1), message(2), message(3))
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	ctx := context.Background()
	mb := stored[0].MailboxID
	e.store.StoreFlags(ctx, e.alice.ID, mb, []storageUID{2}, flagsAdd, []string{`\Seen`}, unconditional)
	e.store.Expunge(ctx, e.alice.ID, mb, []storageUID{1})
	e.deliver("", message(4))
	r.send("N NOOP")
	got := r.untilTagged("N OK")
	want := []string{"* 1 EXPUNGE", "* 3 EXISTS", `* 1 FETCH (UID 2 FLAGS (\Seen))`}
	if !slices.Equal(got, want) {
		t.Errorf("after NOOP:\n got %q\nwant %q", got, want)
	}
	r.send("N2 NOOP")
	if got := r.untilTagged("N2 OK"); len(got) != 0 {
		t.Errorf("changes reported twice: %q", got)
	}
}

func TestShutdownSaysBye(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	r.send("I IDLE")
	r.expect("+ ")
	idle := e.rawLoggedIn()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.srv.Shutdown(ctx)
	}()
	r.expect("* BYE")
	idle.expect("* BYE")
}

// TestImplicitTLS serves the imaps port: TLS from the first byte, no
// STARTTLS offered, plaintext login allowed (RFC 8314).
func TestImplicitTLS(t *testing.T) {
	e := newTestEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.srv.ServeTLS(l)
	c, err := imapclient.DialTLS(l.Addr().String(), &imapclient.Options{TLSConfig: &tls.Config{ServerName: "imap.zest.test", InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Caps().Has("STARTTLS") {
		t.Error("STARTTLS offered on an implicit-TLS connection")
	}
	if err := c.Login("alice@example.org", "alice password").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
}

// One account never reaches another's mail: every name a session uses is
// looked up in its own account.
func TestAccountsAreSeparate(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	if _, err := e.store.CreateAccount(context.Background(), "bob@example.org", "bob password"); err != nil {
		t.Fatal(err)
	}
	r := e.raw()
	r.send(`L LOGIN bob@example.org "bob password"`)
	r.untilTagged("L OK")
	r.send("S STATUS INBOX (MESSAGES)")
	if got := r.untilTagged("S OK"); !slices.Equal(got, []string{"* STATUS INBOX (MESSAGES 0)"}) {
		t.Errorf("bob's INBOX: %q", got)
	}
	r.send("X SELECT INBOX")
	r.untilTagged("X OK")
	r.send("F UID FETCH 1:* (UID)")
	if got := r.untilTagged("F OK"); len(got) != 0 {
		t.Errorf("bob fetched alice's messages: %q", got)
	}
	r.send(`C SELECT "alice@example.org/INBOX"`)
	r.expect("* OK [CLOSED]")
	r.expect("C NO [NONEXISTENT]")
}

// RFC 3501 §5.4: an idle client is logged out, with BYE, after the
// autologout time (30 minutes by default; shortened here).
func TestAutologout(t *testing.T) {
	e := newTestEnvConfig(t, func(c *Config) { c.IdleTimeout = 300 * time.Millisecond })
	r := e.rawLoggedIn()
	start := time.Now()
	r.expect("* BYE autologout")
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("logged out after %v", d)
	}
}

// RFC 9051 §6.3.2: after ENABLE IMAP4rev2, SELECT returns a LIST response
// and no RECENT.
func TestSelectIMAP4rev2(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	r.send("E ENABLE IMAP4rev2")
	r.untilTagged("E OK")
	r.send("S SELECT inbox")
	got := r.untilTagged("S OK")
	if !slices.Contains(got, `* LIST () "/" INBOX`) || slices.Contains(got, "* 0 RECENT") {
		t.Errorf("IMAP4rev2 SELECT: %q", got)
	}
}
