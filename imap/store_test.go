package imap

import (
	"context"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// want checks one command's untagged lines against an exact list.
func wantLines(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// flagsOf reads a message's flags from the store.
func (e *testEnv) flagsOf(mailbox string, uid storage.UID) []string {
	e.t.Helper()
	ctx := context.Background()
	mb, err := e.store.MailboxByName(ctx, e.alice.ID, mailbox)
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := e.store.Message(ctx, e.alice.ID, mb.ID, uid)
	if err != nil {
		e.t.Fatal(err)
	}
	return m.Flags.Names()
}

// TestStoreForms: FLAGS, +FLAGS and -FLAGS, each with .SILENT, with and
// without parentheses, by sequence number and by UID (RFC 3501 §6.4.6,
// §6.4.8: UID STORE's FETCH responses carry the UID).
func TestStoreForms(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")

	r.send(`A1 STORE 1 +FLAGS (\Seen)`)
	wantLines(t, "A1", r.untilTagged("A1 OK STORE completed"), `* 1 FETCH (FLAGS (\Seen))`)
	r.send(`A2 UID STORE 1:* +FLAGS.SILENT (\Flagged $Work)`)
	wantLines(t, "A2", r.untilTagged("A2 OK UID STORE completed"))
	r.send(`A3 STORE 2 FLAGS \Deleted \answered`)
	wantLines(t, "A3", r.untilTagged("A3 OK"), `* 2 FETCH (FLAGS (\Answered \Deleted))`)
	r.send(`A4 UID STORE 2,3 -FLAGS (\DELETED $work)`)
	wantLines(t, "A4", r.untilTagged("A4 OK"), `* 2 FETCH (UID 2 FLAGS (\Answered))`, `* 3 FETCH (UID 3 FLAGS (\Flagged))`)
	// Nothing changes: nothing to report.
	r.send(`A5 STORE 1 +FLAGS (\Seen)`)
	wantLines(t, "A5", r.untilTagged("A5 OK"))
	r.send(`A6 STORE 3 FLAGS.SILENT ()`)
	wantLines(t, "A6", r.untilTagged("A6 OK"))
	r.send(`A7 STORE 1:2 flags (\Draft Junk)`)
	wantLines(t, "A7", r.untilTagged("A7 OK"), `* 1 FETCH (FLAGS (\Draft Junk))`, `* 2 FETCH (FLAGS (\Draft Junk))`)
	// A UID that does not exist is skipped (RFC 3501 §6.4.8).
	r.send(`A8 UID STORE 99 +FLAGS (\Seen)`)
	wantLines(t, "A8", r.untilTagged("A8 OK"))
	// The session's own changes are not reported again.
	r.send("A9 NOOP")
	wantLines(t, "A9", r.untilTagged("A9 OK"))
	// "$" before any SEARCH SAVE is the empty set (RFC 5182 §2.1).
	r.send(`A10 STORE $ +FLAGS (\Seen)`)
	wantLines(t, "A10", r.untilTagged("A10 OK"))

	for uid, want := range map[storage.UID][]string{1: {`\Draft`, "Junk"}, 2: {`\Draft`, "Junk"}, 3: {}} {
		if got := e.flagsOf("INBOX", uid); !slices.Equal(got, want) {
			t.Errorf("uid %d flags %q, want %q", uid, got, want)
		}
	}
}

// TestStoreErrors: \Recent and unknown system flags are refused (RFC 3501
// §2.3.2: a client cannot set \Recent; flag-extension is not defined), as
// are unknown items and sequence numbers beyond the mailbox (§6.4.8), and
// STORE in a mailbox opened with EXAMINE.
func TestStoreErrors(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1))
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	for _, c := range []struct{ cmd, want string }{
		{`B1 STORE 1 +FLAGS (\Recent)`, `B1 BAD \Recent cannot be set by a client`},
		{`B2 STORE 1 +FLAGS (\Foo)`, `B2 BAD unknown system flag \Foo`},
		{`B3 STORE 1 XFLAGS (\Seen)`, `B3 BAD unknown STORE data item XFLAGS`},
		{`B4 STORE 2 +FLAGS (\Seen)`, `B4 BAD`},
		{`B5 STORE 1 +FLAGS (\Seen`, `B5 BAD`},
		{`B6 STORE 1 +FLAGS`, `B6 BAD`},
		{`B7 STORE 1 +FLAGS (\Seen) extra`, `B7 BAD`},
		{`B8 STORE 1 +FLAGS \Recent \Seen`, `B8 BAD`},
		{`B9 STORE 1 +FLAGS (a]b)`, `B9 BAD`},
	} {
		r.send(c.cmd)
		if got := r.line(); got != c.want && !(len(c.want) < 7 && len(got) >= len(c.want) && got[:len(c.want)] == c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.cmd, got, c.want)
		}
	}
	r.send("N NOOP")
	wantLines(t, "NOOP after BADs", r.untilTagged("N OK"))
	if got := e.flagsOf("INBOX", 1); len(got) != 0 {
		t.Errorf("flags changed by refused commands: %q", got)
	}

	r.send("E EXAMINE INBOX")
	r.untilTagged("E OK [READ-ONLY]")
	r.send(`C1 STORE 1 +FLAGS (\Seen)`)
	r.expect("C1 NO [READ-ONLY]")
	r.send("C2 STORE 1 +FLAGS (")
	r.expect("C2 BAD") // syntax is checked first
}

// TestStoreSeenByOtherSession: a STORE reaches another session selected on
// the same mailbox as FETCH FLAGS with the UID (RFC 3501 §7.4.2), and
// .SILENT only silences the session that stored.
func TestStoreSeenByOtherSession(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	a, b := e.rawLoggedIn(), e.rawLoggedIn()
	for _, r := range []*rawConn{a, b} {
		r.send("S SELECT INBOX")
		r.untilTagged("S OK")
	}
	a.send(`A1 STORE 2 +FLAGS.SILENT (\Answered)`)
	wantLines(t, "A1", a.untilTagged("A1 OK"))
	b.send("B1 NOOP")
	wantLines(t, "B1", b.untilTagged("B1 OK"), `* 2 FETCH (UID 2 FLAGS (\Answered))`)
	// b's own STORE reports the flags a set before, merged with its own.
	b.send(`B2 STORE 2 +FLAGS (\Seen)`)
	wantLines(t, "B2", b.untilTagged("B2 OK"), `* 2 FETCH (FLAGS (\Seen \Answered))`)
	a.send("A2 NOOP")
	wantLines(t, "A2", a.untilTagged("A2 OK"), `* 2 FETCH (UID 2 FLAGS (\Seen \Answered))`)
}

// TestStoreClient: go-imap's client sees the flags it stored (RFC 3501 §6.4.6).
func TestStoreClient(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	c := e.client()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Store(imap.SeqSetNum(1, 3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged, "$Important"}}, nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].SeqNum != 1 || msgs[1].SeqNum != 3 || !slices.Equal(msgs[1].Flags, []imap.Flag{imap.FlagFlagged, "$Important"}) {
		t.Errorf("STORE answered %+v", msgs)
	}
	msgs, err = c.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsDel, Flags: []imap.Flag{"$important"}}, nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].UID != 3 || !slices.Equal(msgs[0].Flags, []imap.Flag{imap.FlagFlagged}) {
		t.Errorf("UID STORE answered %+v", msgs)
	}
	if err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsSet, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if got := e.flagsOf("INBOX", 2); !slices.Equal(got, []string{`\Seen`}) {
		t.Errorf("uid 2 flags %q", got)
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{NumUnseen: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.NumUnseen == nil || *st.NumUnseen != 2 {
		t.Errorf("STATUS UNSEEN %v, want 2", st.NumUnseen)
	}
}
