package imap

import (
	"context"
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// uidValidity reads a mailbox's UIDVALIDITY from the store.
func (e *testEnv) uidValidity(mailbox string) uint32 {
	e.t.Helper()
	mb, err := e.store.MailboxByName(context.Background(), e.alice.ID, mailbox)
	if err != nil {
		e.t.Fatal(err)
	}
	return mb.UIDValidity
}

// TestCopyTranscript: COPY and UID COPY answer COPYUID with compact sets
// (RFC 4315 §3), a missing destination is TRYCREATE (RFC 3501 §6.4.7), and
// copying into the selected mailbox announces the copies at once.
func TestCopyTranscript(t *testing.T) {
	e := newTestEnv(t)
	stored := e.deliver("", message(1), message(2), message(3))
	r := e.rawLoggedIn()
	r.send("C CREATE Keep")
	r.untilTagged("C OK")
	arch, inbox := e.uidValidity("Keep"), stored[0].UIDValidity
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")

	r.send("A1 COPY 1:3 Keep")
	wantLines(t, "A1", r.untilTagged(fmt.Sprintf("A1 OK [COPYUID %d 1:3 1:3] COPY completed", arch)))
	r.send("A2 UID COPY 3,1 Keep")
	wantLines(t, "A2", r.untilTagged(fmt.Sprintf("A2 OK [COPYUID %d 1,3 4:5] UID COPY completed", arch)))
	r.send("A3 COPY 1 Nope")
	r.expect("A3 NO [TRYCREATE] no mailbox Nope")
	r.send("A4 COPY 2 inbox")
	wantLines(t, "A4", r.untilTagged(fmt.Sprintf("A4 OK [COPYUID %d 2 4] COPY completed", inbox)), "* 4 EXISTS", "* 1 RECENT")
	r.send("A5 UID COPY 99 Keep")
	wantLines(t, "A5", r.untilTagged("A5 OK UID COPY completed"))
	r.send("A6 COPY 5 Keep")
	r.expect("A6 BAD")
	r.send("A7 COPY 1")
	r.expect("A7 BAD")

	// COPY works from a mailbox opened read-only.
	r.send("E EXAMINE Keep")
	r.untilTagged("E OK")
	r.send("A8 COPY 1:2 INBOX")
	wantLines(t, "A8", r.untilTagged(fmt.Sprintf("A8 OK [COPYUID %d 1:2 5:6] COPY completed", inbox)))
	r.send("T STATUS INBOX (MESSAGES)")
	wantLines(t, "STATUS", r.untilTagged("T OK"), "* STATUS INBOX (MESSAGES 6)")
}

// TestMoveTranscript: MOVE sends COPYUID in an untagged OK, then an
// EXPUNGE per message, and the session does not report them again (RFC
// 6851 §3.3, §4.3); MOVE to the selected mailbox and from a read-only one
// are refused.
func TestMoveTranscript(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3), message(4))
	r := e.rawLoggedIn()
	r.send("C CREATE Keep")
	r.untilTagged("C OK")
	arch := e.uidValidity("Keep")
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")

	r.send("M1 MOVE 2:3 Keep")
	wantLines(t, "M1", r.untilTagged("M1 OK MOVE completed"),
		fmt.Sprintf("* OK [COPYUID %d 2:3 1:2] moved", arch), "* 3 EXPUNGE", "* 2 EXPUNGE")
	r.send("M2 UID MOVE 4 Keep")
	wantLines(t, "M2", r.untilTagged("M2 OK UID MOVE completed"),
		fmt.Sprintf("* OK [COPYUID %d 4 3] moved", arch), "* 2 EXPUNGE")
	r.send("N NOOP")
	wantLines(t, "NOOP", r.untilTagged("N OK"))
	r.send("M3 MOVE 1 INBOX")
	r.expect("M3 NO [CANNOT]")
	r.send("M4 MOVE 1 Nope")
	r.expect("M4 NO [TRYCREATE]")
	r.send("M5 UID MOVE 2:3 Keep") // gone already: nothing to do
	wantLines(t, "M5", r.untilTagged("M5 OK UID MOVE completed"))
	r.send("T STATUS Keep (MESSAGES)")
	wantLines(t, "STATUS", r.untilTagged("T OK"), "* STATUS Keep (MESSAGES 3)")

	r.send("E EXAMINE Keep")
	r.untilTagged("E OK")
	r.send("M6 MOVE 1 INBOX")
	r.expect("M6 NO [READ-ONLY]")
}

// TestMoveSeenByOtherSession: another session on the source mailbox learns
// of the move as EXPUNGE, but not in the response to STORE by sequence
// number (RFC 3501 §7.4.1); it is told at the next NOOP.
func TestMoveSeenByOtherSession(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	a, b := e.rawLoggedIn(), e.rawLoggedIn()
	a.send("C CREATE Keep")
	a.untilTagged("C OK")
	for _, r := range []*rawConn{a, b} {
		r.send("S SELECT INBOX")
		r.untilTagged("S OK")
	}
	a.send("M MOVE 1:2 Keep")
	a.untilTagged("M OK")
	b.send(`B1 STORE 3 +FLAGS (\Seen)`)
	wantLines(t, "B1", b.untilTagged("B1 OK"), `* 3 FETCH (FLAGS (\Seen))`)
	b.send("B2 NOOP")
	wantLines(t, "B2", b.untilTagged("B2 OK"), "* 2 EXPUNGE", "* 1 EXPUNGE")
	b.send(`B3 STORE 1 -FLAGS (\Seen)`)
	wantLines(t, "B3", b.untilTagged("B3 OK"), `* 1 FETCH (FLAGS ())`)
}

// TestCopyMoveClient: go-imap's client gets COPYUID from COPY and MOVE
// (RFC 4315, RFC 6851).
func TestCopyMoveClient(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	c := e.client()
	if err := c.Create("Bin", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cp, err := c.Copy(imap.SeqSetNum(1, 2), "Bin").Wait()
	if err != nil {
		t.Fatal(err)
	}
	if cp.UIDValidity != e.uidValidity("Bin") || cp.SourceUIDs.String() != "1:2" || cp.DestUIDs.String() != "1:2" {
		t.Errorf("COPY answered %+v", cp)
	}
	mv, err := c.Move(imap.UIDSetNum(3), "Bin").Wait()
	if err != nil {
		t.Fatal(err)
	}
	if mv.SourceUIDs.String() != "3" || mv.DestUIDs.String() != "3" {
		t.Errorf("MOVE answered %+v", mv)
	}
	st, err := c.Status("Bin", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *st.NumMessages != 3 {
		t.Errorf("Trash holds %d messages, want 3", *st.NumMessages)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 2 {
		t.Errorf("INBOX holds %d messages, want 2", sel.NumMessages)
	}
}
