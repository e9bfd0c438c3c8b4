package imap

import (
	"context"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// TestExpungeTranscript: EXPUNGE removes every \Deleted message and tells
// the client once, highest sequence number first (RFC 3501 §6.4.3); UID
// EXPUNGE only those in its set (RFC 4315 §2.1); a read-only mailbox is
// refused.
func TestExpungeTranscript(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3), message(4), message(5))
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")

	r.send("X0 EXPUNGE") // nothing is \Deleted
	wantLines(t, "X0", r.untilTagged("X0 OK EXPUNGE completed"))
	r.send(`F STORE 1,3,4 +FLAGS.SILENT (\Deleted)`)
	r.untilTagged("F OK")
	r.send("X1 UID EXPUNGE 2:3")
	wantLines(t, "X1", r.untilTagged("X1 OK UID EXPUNGE completed"), "* 3 EXPUNGE")
	r.send("X2 EXPUNGE")
	wantLines(t, "X2", r.untilTagged("X2 OK EXPUNGE completed"), "* 3 EXPUNGE", "* 1 EXPUNGE")
	r.send("N NOOP")
	wantLines(t, "NOOP", r.untilTagged("N OK"))
	r.send("T STATUS INBOX (MESSAGES)")
	wantLines(t, "STATUS", r.untilTagged("T OK"), "* STATUS INBOX (MESSAGES 2)")
	r.send("X3 UID EXPUNGE")
	r.expect("X3 BAD")
	r.send("X4 EXPUNGE 1")
	r.expect("X4 BAD")

	r.send("E EXAMINE INBOX")
	r.untilTagged("E OK")
	r.send("X5 EXPUNGE")
	r.expect("X5 NO [READ-ONLY]")
	r.send("X6 UID EXPUNGE 1")
	r.expect("X6 NO [READ-ONLY]")
}

// TestUIDExpungeLargeSet: UID EXPUNGE of a large set keeps to the set.
func TestUIDExpungeLargeSet(t *testing.T) {
	e := newTestEnv(t)
	var raws [][]byte
	for i := range 70 {
		raws = append(raws, message(i))
	}
	stored := e.deliver("", raws...)
	ctx := context.Background()
	all := make([]storage.UID, len(stored))
	for i, s := range stored {
		all[i] = s.UID
	}
	if _, err := e.store.StoreFlags(ctx, e.alice.ID, stored[0].MailboxID, all, storage.FlagsAdd, []string{`\Deleted`}, storage.Unconditional); err != nil {
		t.Fatal(err)
	}
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	r.send("X UID EXPUNGE 2:*")
	if got := r.untilTagged("X OK"); len(got) != len(all)-1 || got[0] != "* 70 EXPUNGE" || got[len(got)-1] != "* 2 EXPUNGE" {
		t.Errorf("UID EXPUNGE answered %d lines: %q", len(got), got)
	}
	r.send("T STATUS INBOX (MESSAGES)")
	wantLines(t, "STATUS", r.untilTagged("T OK"), "* STATUS INBOX (MESSAGES 1)")
}

// TestExpungeSeenByOtherSession: another session is told of the EXPUNGE
// only where RFC 3501 §7.4.1 allows: not after STORE by sequence number,
// but after UID STORE and NOOP.
func TestExpungeSeenByOtherSession(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	a, b := e.rawLoggedIn(), e.rawLoggedIn()
	for _, r := range []*rawConn{a, b} {
		r.send("S SELECT INBOX")
		r.untilTagged("S OK")
	}
	a.send(`A1 STORE 1:2 +FLAGS.SILENT (\Deleted)`)
	a.untilTagged("A1 OK")
	a.send("A2 EXPUNGE")
	wantLines(t, "A2", a.untilTagged("A2 OK"), "* 2 EXPUNGE", "* 1 EXPUNGE")
	// b still numbers the messages as before: STORE 3 is UID 3.
	b.send(`B1 STORE 3 +FLAGS (\Seen)`)
	wantLines(t, "B1", b.untilTagged("B1 OK"), `* 3 FETCH (FLAGS (\Seen))`)
	b.send(`B2 UID STORE 3 +FLAGS (\Flagged)`)
	wantLines(t, "B2", b.untilTagged("B2 OK"), `* 3 FETCH (UID 3 FLAGS (\Seen \Flagged))`, "* 2 EXPUNGE", "* 1 EXPUNGE")
	b.send("B3 NOOP")
	wantLines(t, "B3", b.untilTagged("B3 OK"))
	// a hears about b's changes, once.
	a.send("A3 NOOP")
	wantLines(t, "A3", a.untilTagged("A3 OK"), `* 1 FETCH (UID 3 FLAGS (\Seen \Flagged))`)
}

// TestExpungeClient: go-imap's client gets the expunged sequence numbers
// from EXPUNGE and UID EXPUNGE.
func TestExpungeClient(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3), message(4))
	c := e.client()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1, 2, 4), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	seqs, err := c.UIDExpunge(imap.UIDSetNum(4)).Collect()
	if err != nil || !slices.Equal(seqs, []uint32{4}) {
		t.Errorf("UID EXPUNGE: %v %v", seqs, err)
	}
	seqs, err = c.Expunge().Collect()
	if err != nil || !slices.Equal(seqs, []uint32{2, 1}) {
		t.Errorf("EXPUNGE: %v %v", seqs, err)
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, UIDNext: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *st.NumMessages != 1 || st.UIDNext != 5 {
		t.Errorf("STATUS: %d messages, UIDNEXT %d", *st.NumMessages, st.UIDNext)
	}
}

// RFC 3501 §6.4.3: EXPUNGE removes every message flagged \Deleted when it
// runs, including flags another session set after this one selected.
func TestExpungeSeesOthersDeletedFlags(t *testing.T) {
	e := newTestEnv(t)
	stored := e.deliver("", message(1), message(2), message(3))
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	if _, err := e.store.StoreFlags(context.Background(), e.alice.ID, stored[0].MailboxID, []storage.UID{2}, storage.FlagsAdd, []string{`\Deleted`}, storage.Unconditional); err != nil {
		t.Fatal(err)
	}
	r.send("X EXPUNGE")
	got := r.untilTagged("X OK")
	if !slices.Contains(got, "* 2 EXPUNGE") {
		t.Errorf("EXPUNGE after another session's \\Deleted: %q", got)
	}
	r.send("C CLOSE")
	r.untilTagged("C OK")
	r.send("T STATUS INBOX (MESSAGES)")
	wantLines(t, "STATUS", r.untilTagged("T OK"), "* STATUS INBOX (MESSAGES 2)")
}
