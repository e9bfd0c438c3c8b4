package imap

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// Tests of QRESYNC (RFC 7162 §3.2) and of the seed draft's form of it,
// beyond the examples replayed from testdata/qresync.

// quiet checks that the server sends nothing for a while: no update may
// reach a client that has no command in progress.
func (r *rawConn) quiet(d time.Duration) {
	r.t.Helper()
	r.nc.SetReadDeadline(time.Now().Add(d))
	l, err := r.r.ReadString('\n')
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		r.t.Fatalf("server sent %q (%v) while no command was in progress", l, err)
	}
}

// spec: QR-31
func TestEnableQresyncForms(t *testing.T) {
	for _, tc := range []struct{ cmd, answer string }{
		{"ENABLE QRESYNC", "* ENABLED QRESYNC"},
		{"ENABLE QRESYNC CONDSTORE", "* ENABLED QRESYNC CONDSTORE"},
		{"ENABLE CONDSTORE QRESYNC", "* ENABLED CONDSTORE QRESYNC"},
		{"ENABLE qresync", "* ENABLED QRESYNC"},
		{"ENABLE QRESYNC QRESYNC", "* ENABLED QRESYNC"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			e := newTestEnv(t)
			e.importMessages("INBOX", 3)
			r := e.rawLoggedIn()
			lines, tagged := r.do("E " + tc.cmd)
			wantLines(t, tc.cmd, lines, tc.answer)
			if tagged != "E OK ENABLE completed" {
				t.Errorf("%s: %s", tc.cmd, tagged)
			}
			// Both are on: expunges are VANISHED, FETCHes carry MODSEQ.
			r.do("S SELECT INBOX")
			e.setFlags("INBOX", storage.FlagsAdd, `\Seen`, 1)
			e.expungeUIDs("INBOX", 2)
			lines, _ = r.do("N NOOP")
			wantLines(t, "NOOP", lines, "* VANISHED 2", fmt.Sprintf(`* 1 FETCH (UID 1 FLAGS (\Seen) MODSEQ (%d))`, e.modSeqOf("INBOX", 1)))
			// Asking again answers again (RFC 7162 §3.2.3).
			lines, _ = r.do("F ENABLE QRESYNC")
			wantLines(t, "ENABLE again", lines, "* ENABLED QRESYNC")
		})
	}
	// ENABLE CONDSTORE alone: MODSEQ but EXPUNGE, and no VANISHED modifier.
	e := newTestEnv(t)
	e.importMessages("INBOX", 3)
	r := e.rawLoggedIn()
	lines, _ := r.do("E ENABLE CONDSTORE")
	wantLines(t, "ENABLE CONDSTORE", lines, "* ENABLED CONDSTORE")
	r.do("S SELECT INBOX")
	e.expungeUIDs("INBOX", 2)
	lines, _ = r.do("N NOOP")
	wantLines(t, "NOOP", lines, "* 2 EXPUNGE")
	if _, tagged := r.do("F UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"); !strings.HasPrefix(tagged, "F BAD") {
		t.Errorf("VANISHED after ENABLE CONDSTORE alone: %s", tagged)
	}
}

// ENABLE ignores what it cannot enable, the seed draft's capability
// included, and changes no capability; it needs an argument and a login,
// and works in the selected state too.
//
// spec: QR-32, QR-33
func TestEnableEdgeCases(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 1)
	r := e.raw()
	if _, tagged := r.do("A ENABLE QRESYNC"); !strings.HasPrefix(tagged, "A BAD") {
		t.Errorf("ENABLE before login: %s", tagged)
	}
	r = e.rawLoggedIn()
	caps, _ := r.do("C1 CAPABILITY")
	for _, tc := range []struct{ cmd, answer string }{
		{"ENABLE X-DRAFT-W01-QRESYNC", "* ENABLED"},
		{"ENABLE FOO BAR", "* ENABLED"},
		{"ENABLE EXPUNGED X-DRAFT-W01-QRESYNC CONDSTORE", "* ENABLED CONDSTORE"},
	} {
		lines, tagged := r.do("E " + tc.cmd)
		wantLines(t, tc.cmd, lines, tc.answer)
		if !strings.HasPrefix(tagged, "E OK") {
			t.Errorf("%s: %s", tc.cmd, tagged)
		}
	}
	if _, tagged := r.do("E ENABLE"); !strings.HasPrefix(tagged, "E BAD") {
		t.Errorf("ENABLE without argument: %s", tagged)
	}
	if again, _ := r.do("C2 CAPABILITY"); !slices.Equal(caps, again) {
		t.Errorf("CAPABILITY changed by ENABLE:\n%q\n%q", caps, again)
	}
	// The seed draft's name enabled nothing: a three-argument QRESYNC is
	// still the draft's form, and VANISHED is still refused.
	r.do("S SELECT INBOX")
	if _, tagged := r.do("F UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"); !strings.HasPrefix(tagged, "F BAD") {
		t.Errorf("VANISHED after ENABLE X-DRAFT-W01-QRESYNC: %s", tagged)
	}
	// In the selected state.
	lines, tagged := r.do("E2 ENABLE QRESYNC")
	wantLines(t, "ENABLE QRESYNC while selected", lines, "* ENABLED QRESYNC")
	if !strings.HasPrefix(tagged, "E2 OK") {
		t.Errorf("ENABLE QRESYNC while selected: %s", tagged)
	}
	if _, tagged := r.do("F2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"); !strings.HasPrefix(tagged, "F2 OK") {
		t.Errorf("VANISHED after ENABLE QRESYNC: %s", tagged)
	}
}

// With QRESYNC on, every way a message leaves the selected mailbox is
// told with VANISHED: this session's MOVE, another session's MOVE and
// EXPUNGE, and an expunge while the client idles, which arrives at once.
//
// spec: QR-35, QR-55, QR-57
func TestVanishedForEveryRemoval(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 8)
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	r.do("S SELECT INBOX")

	lines, tagged := r.do("M UID MOVE 2,4 Archive")
	wantLines(t, "own MOVE", lines, "* OK [COPYUID "+fmt.Sprint(e.mailbox("Archive").UIDValidity)+" 2,4 1:2] moved", "* VANISHED 2,4")
	if !strings.HasPrefix(tagged, "M OK") {
		t.Errorf("MOVE: %s", tagged)
	}
	mv, err := e.store.Copy(t.Context(), e.alice.ID, e.mailbox("INBOX").ID, []storage.UID{5}, e.mailbox("Archive").ID, true)
	if err != nil || len(mv.Source) != 1 {
		t.Fatalf("move elsewhere: %v %v", mv, err)
	}
	lines, _ = r.do("N NOOP")
	wantLines(t, "other session's MOVE", lines, "* VANISHED 5")

	r.send("I IDLE")
	r.expect("+ ")
	e.expungeUIDs("INBOX", 7, 1)
	r.expect("* VANISHED 1,7")
	r.send("DONE")
	r.expect("I OK")
	lines, _ = r.do("F FETCH 1:* (UID)")
	wantLines(t, "left", lines, "* 1 FETCH (UID 3)", "* 2 FETCH (UID 6)", "* 3 FETCH (UID 8)")
}

// An operation that removes messages raises the mailbox's mod-sequence
// once, and every message it removed is remembered at that mod-sequence:
// a resync from just before it reports them all, from it none.
//
// spec: QR-36, QR-41, QR-45
func TestRemovalTakesOneModSeq(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 10)
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	uv := e.mailbox("INBOX").UIDValidity
	r.do("S SELECT INBOX")
	for _, tc := range []struct {
		what, prepare, remove, uids string
	}{
		{"EXPUNGE", `F UID STORE 1,3,5 +FLAGS.SILENT (\Deleted)`, "X EXPUNGE", "1,3,5"},
		{"UID EXPUNGE", `F UID STORE 2,4,9 +FLAGS.SILENT (\Deleted)`, "X UID EXPUNGE 1:8", "2,4"},
		{"MOVE", "", "M UID MOVE 6:7 Archive", "6:7"},
		{"CLOSE", `F UID STORE 8,10 +FLAGS.SILENT (\Deleted)`, "C CLOSE", "8:10"},
	} {
		if tc.prepare != "" {
			r.do(tc.prepare)
		}
		before := e.mailbox("INBOX").HighestModSeq
		r.do(tc.remove)
		after := e.mailbox("INBOX").HighestModSeq
		if after != before+1 {
			t.Errorf("%s raised HIGHESTMODSEQ from %d to %d", tc.what, before, after)
		}
		lines, _ := r.do(fmt.Sprintf("Q EXAMINE INBOX (QRESYNC (%d %d 1:10))", uv, before))
		if !slices.Contains(lines, "* VANISHED (EARLIER) "+tc.uids) {
			t.Errorf("%s: resync from %d: %q", tc.what, before, lines)
		}
		lines, _ = r.do(fmt.Sprintf("Q EXAMINE INBOX (QRESYNC (%d %d 1:10))", uv, after))
		if slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "VANISHED") }) {
			t.Errorf("%s: resync from %d: %q", tc.what, after, lines)
		}
		r.do("S SELECT INBOX")
	}
}

// While an expunge made elsewhere is held back (FETCH, STORE and SEARCH
// may not report it), every answer carrying MODSEQ data is followed by a
// HIGHESTMODSEQ below that expunge, whatever made the FETCH data: FETCH
// MODSEQ, an implicit \Seen, STORE, another session's change.
//
// spec: QR-39, QR-57
func TestHighestModSeqBelowHeldBackExpunge(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 6)
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	r.do("S SELECT INBOX")
	held := e.mailbox("INBOX").HighestModSeq
	e.expungeUIDs("INBOX", 6)
	code := fmt.Sprintf("* OK [HIGHESTMODSEQ %d] highest", held)
	for _, cmd := range []string{
		"A FETCH 1:* (MODSEQ)",
		"B FETCH 2 (BODY[HEADER.FIELDS (Subject)])",
		`C STORE 3 +FLAGS (\Answered)`,
		`D STORE 4 (UNCHANGEDSINCE 100) +FLAGS.SILENT (\Answered)`,
		"F SEARCH MODSEQ 1",
	} {
		e.setFlags("INBOX", storage.FlagsAdd, `\Flagged`, 5) // another session's change, above the expunge
		lines, tagged := r.do(cmd)
		if len(lines) == 0 || lines[len(lines)-1] != code {
			t.Errorf("%s: %q, want it to end with %q", cmd, lines, code)
		}
		if slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "VANISHED") || strings.HasSuffix(l, "EXPUNGE") }) {
			t.Errorf("%s reported the expunge: %q", cmd, lines)
		}
		if !strings.Contains(tagged, " OK") {
			t.Errorf("%s: %s", cmd, tagged)
		}
	}
	lines, _ := r.do("N NOOP")
	wantLines(t, "NOOP", lines, "* VANISHED 6")
	lines, _ = r.do("G FETCH 1 (MODSEQ)")
	if len(lines) != 1 {
		t.Errorf("after the VANISHED: %q", lines)
	}
}

// A QRESYNC parameter with a syntax error gets BAD before anything is
// opened or closed: no response about any mailbox, and the session stays
// where it was.
//
// spec: QR-43
func TestQresyncParamErrors(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 3)
	uv := e.mailbox("Archive").UIDValidity
	bad := []string{
		"(QRESYNC (0 5))",
		"(QRESYNC (x 5))",
		"(QRESYNC (4294967296 5))",
		"(QRESYNC (%d 0))",
		"(QRESYNC (%d x))",
		"(QRESYNC (%d 9223372036854775808))",
		"(QRESYNC (%d))",
		"(QRESYNC (%d 5 1:*))",
		"(QRESYNC (%d 5 *))",
		"(QRESYNC (%d 5 0:3))",
		"(QRESYNC (%d 5 $))",
		"(QRESYNC (%d 5 1:5 2:3))",
		"(QRESYNC (%d 5 1:5 (1:* 1:5)))",
		"(QRESYNC (%d 5 1:5 (1:3 2:5:7)))",
		"(QRESYNC (%d 5 1:5 (1:3 1:2)))",
		"(QRESYNC (%d 5 1:5 (1:3 1:3) 7))",
		"(QRESYNC (%d 5 1:5 (1:3)))",
		"(QRESYNC (%d 5 ()))",
		"(QRESYNC %d 5)",
		"(QRESYNC)",
		"(QRESYNC (%d 5) QRESYNC (%d 5))",
		"(CONDSTORE CONDSTORE)",
		"(NOSUCHPARAM)",
		"(QRESYNC (%d 5)",
		"(QRESYNC (%d 5 1:3)) extra",
	}
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	try := func(state string) {
		for i, p := range bad {
			p = strings.ReplaceAll(p, "%d", fmt.Sprint(uv))
			tag := fmt.Sprintf("B%d", i)
			lines, tagged := r.do(tag + " SELECT Archive " + p)
			if !strings.HasPrefix(tagged, tag+" BAD") || len(lines) != 0 {
				t.Errorf("%s: SELECT Archive %s: %q %s", state, p, lines, tagged)
			}
		}
	}
	try("authenticated")
	if _, tagged := r.do("F FETCH 1 (UID)"); !strings.HasPrefix(tagged, "F BAD") {
		t.Errorf("a mailbox was selected: %s", tagged)
	}
	r.do("S SELECT INBOX")
	try("selected")
	lines, _ := r.do("F FETCH 3 (UID)") // INBOX is still selected; Archive is empty
	wantLines(t, "INBOX still selected", lines, "* 3 FETCH (UID 3)")
}

// Without known-uids the server uses every UID below UIDNEXT; a mailbox
// that never held a message has none to report.
//
// spec: QR-47
func TestQresyncWithoutKnownUIDs(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	archive := e.mailbox("Archive")
	lines, _ := r.do(fmt.Sprintf("S SELECT Archive (QRESYNC (%d 1))", archive.UIDValidity))
	if n := len(lines); n != 8 || !slices.Contains(lines, "* 0 EXISTS") {
		t.Errorf("empty mailbox: %q", lines)
	}
	e.importMessages("Archive", 5)
	since := e.mailbox("Archive").HighestModSeq
	e.expungeUIDs("Archive", 1, 2, 3, 4, 5)
	lines, _ = r.do(fmt.Sprintf("S SELECT Archive (QRESYNC (%d %d))", archive.UIDValidity, since))
	if !slices.Contains(lines, "* VANISHED (EARLIER) 1:5") {
		t.Errorf("emptied mailbox: %q", lines)
	}
}

// UID FETCH (CHANGEDSINCE VANISHED) with "*" reports expunged UIDs above
// the highest left, and once the tombstones after the client's
// mod-sequence have expired, every UID of the set that is not in the
// mailbox (RFC 7162 §3.2.6 note), as the SELECT resync does.
//
// spec: QR-49, QR-51, QR-53, QR-54
func TestVanishedModifierAfterExpiry(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 10)
	since := e.mailbox("INBOX").HighestModSeq
	e.expungeUIDs("INBOX", 3, 4)
	e.expungeUIDs("INBOX", 9, 10)
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	r.do("S SELECT INBOX")
	lines, _ := r.do(fmt.Sprintf("F UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)", since))
	wantLines(t, "before expiry", lines, "* VANISHED (EARLIER) 3:4,9:10")

	mb := e.mailbox("INBOX")
	if err := e.store.ExpireTombstones(t.Context(), e.alice.ID, mb.ID, mb.HighestModSeq); err != nil {
		t.Fatal(err)
	}
	lines, _ = r.do(fmt.Sprintf("G UID FETCH 1:8 (FLAGS) (CHANGEDSINCE %d VANISHED)", since))
	wantLines(t, "after expiry", lines, "* VANISHED (EARLIER) 3:4")
	// The client's set in any order, "*" its highest UID ever.
	lines, _ = r.do(fmt.Sprintf("G2 UID FETCH 9:*,5:1 (FLAGS) (CHANGEDSINCE %d VANISHED)", since))
	wantLines(t, "after expiry, unordered set", lines, "* VANISHED (EARLIER) 3:4,9:10")
	lines, _ = r.do(fmt.Sprintf("H EXAMINE INBOX (QRESYNC (%d %d 1:8))", mb.UIDValidity, since))
	if !slices.Contains(lines, "* VANISHED (EARLIER) 3:4") {
		t.Errorf("SELECT after expiry: %q", lines)
	}
	lines, _ = r.do(fmt.Sprintf("H2 EXAMINE INBOX (QRESYNC (%d %d 9:12,7,1:5))", mb.UIDValidity, since))
	if !slices.Contains(lines, "* VANISHED (EARLIER) 3:4,9:10") {
		t.Errorf("SELECT after expiry, unordered known-uids: %q", lines)
	}
	// A mod-sequence at the expiry mark is still answered exactly.
	lines, _ = r.do(fmt.Sprintf("J UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)", mb.HighestModSeq))
	wantLines(t, "from the mark", lines)
}

// Expunges made elsewhere reach a QRESYNC client only while a command
// that may carry them runs: not while it sends nothing, not during FETCH,
// STORE or SEARCH, nor during a UID SEARCH whose criteria use message
// numbers; during UID FETCH, UID STORE, UID SEARCH by UID and NOOP they do.
//
// spec: QR-55, QR-57
func TestVanishedOnlyWhenAllowed(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 20)
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	r.do("S SELECT INBOX")
	uid := storage.UID(20)
	for _, tc := range []struct {
		cmd    string
		allows bool
	}{
		{"FETCH 1 (FLAGS)", false},
		{`STORE 1 +FLAGS (\Seen)`, false},
		{"SEARCH ALL", false},
		{"UID SEARCH 1:3", false},
		{"UID SEARCH NOT 2", false},
		{"UID SEARCH OR SEEN 1:*", false},
		{"UID SEARCH RETURN (COUNT) 1", false},
		{"UID SEARCH UID 1:3", true},
		{"UID FETCH 1 (FLAGS)", true},
		{`UID STORE 1 +FLAGS (\Flagged)`, true},
		{"NOOP", true},
		{"CHECK", true},
	} {
		e.expungeUIDs("INBOX", uid)
		r.quiet(50 * time.Millisecond)
		lines, _ := r.do("X " + tc.cmd)
		told := slices.Contains(lines, fmt.Sprintf("* VANISHED %d", uid))
		if told != tc.allows {
			t.Errorf("%s: VANISHED sent: %v, want %v: %q", tc.cmd, told, tc.allows, lines)
		}
		if !told {
			r.do("N NOOP")
		}
		uid--
	}
}

// A UID FETCH line of 60 KiB, the long UID set a resynchronising client
// sends with CHANGEDSINCE and VANISHED, is accepted; so is a SELECT with
// a long known-uids set.
//
// spec: QR-59
func TestLongQresyncLines(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 5)
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	r.do("S SELECT INBOX")
	var set strings.Builder
	for u := 1; set.Len() < 60<<10; u += 2 {
		if set.Len() > 0 {
			set.WriteByte(',')
		}
		fmt.Fprint(&set, u)
	}
	line := "F UID FETCH " + set.String() + " (FLAGS) (CHANGEDSINCE 1 VANISHED)"
	if len(line) < 60<<10 {
		t.Fatalf("line of %d octets", len(line))
	}
	lines, tagged := r.do(line)
	if tagged != "F OK UID FETCH completed" || len(lines) != 3 {
		t.Errorf("60 KiB UID FETCH: %d lines, %s", len(lines), tagged)
	}
	uv := e.mailbox("INBOX").UIDValidity
	known := set.String()[:50<<10]
	known = known[:strings.LastIndexByte(known, ',')]
	lines, tagged = r.do(fmt.Sprintf("Q SELECT INBOX (QRESYNC (%d 1 %s))", uv, known))
	if tagged != "Q OK [READ-WRITE] SELECT completed" || len(lines) < 9 {
		t.Errorf("50 KiB QRESYNC SELECT: %d lines, %s", len(lines), tagged)
	}
}

// A mailbox deleted and created again has a new UIDVALIDITY: a resync
// against the old one gets the plain SELECT responses and nothing else,
// and HIGHESTMODSEQ never goes down within one UIDVALIDITY, tombstone
// expiry included.
//
// spec: QR-14, QR-42, QR-44
func TestQresyncAfterRecreate(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	if _, err := e.store.CreateMailbox(ctx, e.alice.ID, "Lists"); err != nil {
		t.Fatal(err)
	}
	e.importMessages("Lists", 4)
	old := e.mailbox("Lists")
	e.expungeUIDs("Lists", 2)
	high := e.mailbox("Lists").HighestModSeq
	if err := e.store.ExpireTombstones(ctx, e.alice.ID, old.ID, high); err != nil {
		t.Fatal(err)
	}
	if got := e.mailbox("Lists").HighestModSeq; got != high {
		t.Errorf("expiry moved HIGHESTMODSEQ from %d to %d", high, got)
	}
	if err := e.store.DeleteMailbox(ctx, e.alice.ID, "Lists"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateMailbox(ctx, e.alice.ID, "Lists"); err != nil {
		t.Fatal(err)
	}
	e.importMessages("Lists", 4)
	now := e.mailbox("Lists")
	if now.UIDValidity == old.UIDValidity {
		t.Fatalf("same UIDVALIDITY %d after re-creation", now.UIDValidity)
	}
	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	lines, tagged := r.do(fmt.Sprintf("S SELECT Lists (QRESYNC (%d 1 1:4))", old.UIDValidity))
	if slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "VANISHED") || strings.Contains(l, "FETCH") }) {
		t.Errorf("resync against the old UIDVALIDITY: %q", lines)
	}
	if !slices.Contains(lines, fmt.Sprintf("* OK [UIDVALIDITY %d] UIDs valid", now.UIDValidity)) || tagged != "S OK [READ-WRITE] SELECT completed" {
		t.Errorf("SELECT: %q %s", lines, tagged)
	}
}

// A message another session adds already \Deleted is expunged by this
// session's EXPUNGE before the client heard of it: the client is never
// told of its removal (no EXPUNGE or VANISHED for a message no EXISTS
// announced), and the message count stays right.
//
// spec: QR-55
func TestUnannouncedMessageExpunged(t *testing.T) {
	for _, qresync := range []bool{false, true} {
		t.Run(fmt.Sprint("qresync=", qresync), func(t *testing.T) {
			e := newTestEnv(t)
			e.importMessages("INBOX", 3)
			r := e.rawLoggedIn()
			if qresync {
				r.do("E ENABLE QRESYNC")
			}
			r.do("S SELECT INBOX")
			r.do(`F STORE 2 +FLAGS.SILENT (\Deleted)`)
			mb := e.mailbox("INBOX")
			if _, err := e.store.Import(t.Context(), e.alice.ID, mb.ID, []storage.ImportMessage{{Raw: message(4), Flags: []string{`\Deleted`}}}); err != nil {
				t.Fatal(err)
			}
			lines, _ := r.do("X EXPUNGE")
			want := []string{"* 2 EXPUNGE", "* 2 EXISTS"}
			if qresync {
				want = []string{"* VANISHED 2", "* 2 EXISTS"}
			}
			if !slices.Equal(lines, want) && !slices.Equal(lines, want[:1]) {
				t.Errorf("EXPUNGE: %q, want %q", lines, want)
			}
			lines, _ = r.do("U UID FETCH 1:* (UID)")
			wantLines(t, "left", lines, "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)")
		})
	}
}
