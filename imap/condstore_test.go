package imap

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"zest/storage"
)

// Tests of CONDSTORE (RFC 7162 §3.1) beyond the RFC's examples, which are
// replayed from testdata/qresync (TestQresyncTranscripts).

var modSeqItem = regexp.MustCompile(`MODSEQ \((\d+)\)`)

// modSeqIn returns the value of the MODSEQ item of a FETCH line, 0 when
// it has none.
func modSeqIn(line string) uint64 {
	m := modSeqItem.FindStringSubmatch(line)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

// spec: QR-01, QR-66
func TestCondstoreCapabilities(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	lines, tagged := r.do("C CAPABILITY")
	if len(lines) != 1 || !strings.HasPrefix(tagged, "C OK") {
		t.Fatalf("CAPABILITY: %q %s", lines, tagged)
	}
	caps := strings.Fields(lines[0])
	for _, want := range []string{"CONDSTORE", "QRESYNC", "ENABLE", "X-DRAFT-W01-QRESYNC"} {
		if !slices.Contains(caps, want) {
			t.Errorf("CAPABILITY lacks %s: %q", want, lines[0])
		}
	}
	// The EXPUNGED draft the seed names was never published (QR-66).
	if slices.Contains(caps, "EXPUNGED") {
		t.Errorf("CAPABILITY advertises EXPUNGED: %q", lines[0])
	}
}

// Two sessions storing different flags on the same messages at the same
// time each get their own mod-sequence, and within a session every STORE
// gets a larger one than the one before; none is 0 (NOMODSEQ is never
// sent).
//
// spec: QR-02, QR-03, QR-04
func TestModSeqPerStore(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 3)
	const stores = 25
	got := make([][]uint64, 2)
	var wg sync.WaitGroup
	for s := range 2 {
		r := e.rawLoggedIn()
		lines, _ := r.do("S SELECT INBOX (CONDSTORE)")
		for _, l := range lines {
			if strings.Contains(l, "NOMODSEQ") {
				t.Errorf("SELECT sent %q", l)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range stores {
				// A new keyword each time, so every STORE changes the
				// message; the first FETCH is this STORE's own.
				lines, tagged := r.do(fmt.Sprintf("T%d STORE 1,3 +FLAGS ($s%dk%d)", i, s, i))
				if !strings.HasPrefix(tagged, fmt.Sprintf("T%d OK", i)) || len(lines) < 2 {
					t.Errorf("session %d STORE %d: %q %s", s, i, lines, tagged)
					return
				}
				a, b := modSeqIn(lines[0]), modSeqIn(lines[1])
				if a == 0 || a != b {
					t.Errorf("session %d STORE %d: mod-sequences %q", s, i, lines[:2])
				}
				got[s] = append(got[s], a)
			}
		}()
	}
	wg.Wait()
	seen := map[uint64]int{}
	for s, seqs := range got {
		if !slices.IsSorted(seqs) || len(slices.Compact(slices.Clone(seqs))) != len(seqs) {
			t.Errorf("session %d: mod-sequences not increasing: %v", s, seqs)
		}
		for _, m := range seqs {
			if prev, dup := seen[m]; dup {
				t.Errorf("mod-sequence %d given to a STORE of session %d and of session %d", m, prev, s)
			}
			seen[m] = s
		}
	}
	if n := len(seen); n != 2*stores {
		t.Errorf("%d distinct mod-sequences for %d STOREs", n, 2*stores)
	}
}

// Session A sets \Seen twice on one message; session B's CHANGEDSINCE
// FETCH returns it once, with the mod-sequence of the first STORE: the
// second changed nothing and bumped nothing. The same for removing a flag
// the message lacks, and for a STORE FLAGS that names the current flags.
//
// spec: QR-05, QR-06, QR-24
func TestModSeqOnlyForRealChanges(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 3)
	a, b := e.rawLoggedIn(), e.rawLoggedIn()
	a.do("A SELECT INBOX (CONDSTORE)")
	b.do("B SELECT INBOX (CONDSTORE)")
	before := e.mailbox("INBOX").HighestModSeq

	first, _ := a.do(`A1 STORE 2 +FLAGS (\Seen)`)
	want := fmt.Sprintf(`* 2 FETCH (UID 2 FLAGS (\Seen) MODSEQ (%d))`, before+1)
	wantLines(t, "first STORE", first, want)
	for i, cmd := range []string{`+FLAGS (\Seen)`, `-FLAGS (\Flagged)`, `FLAGS (\Seen)`, `+FLAGS.SILENT (\seen)`} {
		lines, tagged := a.do(fmt.Sprintf("A%d STORE 2 %s", i+2, cmd))
		if len(lines) != 0 || !strings.HasPrefix(tagged, fmt.Sprintf("A%d OK", i+2)) {
			t.Errorf("STORE 2 %s changing nothing answered %q %s", cmd, lines, tagged)
		}
	}
	if got := e.mailbox("INBOX").HighestModSeq; got != before+1 {
		t.Errorf("HIGHESTMODSEQ %d after one change from %d", got, before)
	}
	lines, _ := b.do(fmt.Sprintf("B1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)", before))
	wantLines(t, "CHANGEDSINCE in the other session", lines, want)
	lines, _ = b.do("B2 NOOP") // told already by the FETCH
	wantLines(t, "NOOP after CHANGEDSINCE", lines)
}

// FETCH BODY[...] sets \Seen; that is a change like any other: a new
// mod-sequence, reported with UID and MODSEQ in a CONDSTORE session, and
// to other sessions. Fetching the body again changes nothing; BODY.PEEK
// and EXAMINE never change anything.
//
// spec: QR-05, QR-06, QR-09
func TestImplicitSeenTakesModSeq(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 3)
	a, b := e.rawLoggedIn(), e.rawLoggedIn()
	a.do("A SELECT INBOX (CONDSTORE)")
	b.do("B SELECT INBOX (CONDSTORE)")
	before := e.mailbox("INBOX").HighestModSeq

	lines, _ := a.do("A1 FETCH 2 (BODY[HEADER.FIELDS (Subject)])")
	got := strings.Join(lines, "\n")
	want := fmt.Sprintf(`FLAGS (\Seen) UID 2 MODSEQ (%d))`, before+1)
	if !strings.HasSuffix(got, want) {
		t.Errorf("FETCH BODY[] setting \\Seen:\n%s\nwant it to end %s", got, want)
	}
	if m := e.modSeqOf("INBOX", 2); m != before+1 {
		t.Errorf("mod-sequence %d, want %d", m, before+1)
	}
	lines, _ = b.do("B1 NOOP")
	wantLines(t, "other session", lines, fmt.Sprintf(`* 2 FETCH (UID 2 FLAGS (\Seen) MODSEQ (%d))`, before+1))

	// Already \Seen: no FLAGS in the answer, no new mod-sequence.
	lines, _ = a.do("A2 FETCH 2 (BODY[HEADER.FIELDS (Subject)])")
	if got := strings.Join(lines, "\n"); strings.Contains(got, "MODSEQ") || strings.Contains(got, "FLAGS") {
		t.Errorf("second FETCH BODY[]:\n%s", got)
	}
	lines, _ = a.do("A3 UID FETCH 3 (BODY.PEEK[HEADER.FIELDS (Subject)])")
	if got := strings.Join(lines, "\n"); strings.Contains(got, "MODSEQ") || strings.Contains(got, "FLAGS") {
		t.Errorf("BODY.PEEK:\n%s", got)
	}
	b.do("B2 EXAMINE INBOX")
	b.do("B3 FETCH 3 (BODY[HEADER.FIELDS (Subject)])")
	if m := e.modSeqOf("INBOX", 3); m != before || e.mailbox("INBOX").HighestModSeq != before+1 {
		t.Errorf("BODY.PEEK or EXAMINE changed mod-sequences: message %d, mailbox %d", m, e.mailbox("INBOX").HighestModSeq)
	}

	// Without CONDSTORE the implicit \Seen is reported with FLAGS only.
	c := e.rawLoggedIn()
	c.do("C SELECT INBOX")
	lines, _ = c.do("C1 FETCH 1 (BODY[HEADER.FIELDS (Subject)])")
	if got := strings.Join(lines, "\n"); !strings.HasSuffix(got, ` FLAGS (\Seen))`) {
		t.Errorf("FETCH BODY[] without CONDSTORE:\n%s", got)
	}
}

// A message added by APPEND, COPY, MOVE or delivery gets a mod-sequence
// above every one of its mailbox, HIGHESTMODSEQ becoming it.
//
// spec: QR-07
func TestAddedMessagesTakeNewModSeq(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 3)
	e.importMessages("Archive", 2)
	e.setFlags("Archive", storage.FlagsAdd, `\Flagged`, 1) // Archive's highest is now above INBOX's messages
	r := e.rawLoggedIn()
	r.do("S SELECT INBOX (CONDSTORE)")
	newest := func(what string, uid storage.UID) {
		t.Helper()
		mb := e.mailbox("Archive")
		if got := e.modSeqOf("Archive", uid); got != mb.HighestModSeq {
			t.Errorf("%s: message %d has mod-sequence %d, mailbox %d", what, uid, got, mb.HighestModSeq)
		}
	}
	highest := e.mailbox("Archive").HighestModSeq
	_, tagged := r.do("C COPY 1 Archive")
	newest("COPY", 3)
	_, tagged2 := r.do("M MOVE 2 Archive")
	newest("MOVE", 4)
	r.send("A APPEND Archive {5+}")
	r.write("hello\r\n")
	r.untilTagged("A OK")
	newest("APPEND", 5)
	e.deliver("Archive", message(9))
	newest("delivery", 6)
	if got := e.mailbox("Archive").HighestModSeq; got != highest+4 {
		t.Errorf("four additions raised HIGHESTMODSEQ from %d to %d (%s, %s)", highest, got, tagged, tagged2)
	}
}

// Every CONDSTORE enabling command turns on MODSEQ (with UID) in every
// later FETCH for the rest of the connection, and the first one run with a
// mailbox selected is preceded by that mailbox's HIGHESTMODSEQ, sent once.
// Commands that do not enable it leave FETCHes as RFC 3501 has them.
//
// spec: QR-08, QR-09, QR-10, QR-12
func TestCondstoreEnablingCommands(t *testing.T) {
	for _, tc := range []struct {
		cmd     string
		enables bool
		code    bool // HIGHESTMODSEQ before the tagged response
		selects bool
	}{
		{cmd: "ENABLE CONDSTORE", enables: true, code: true},
		{cmd: "ENABLE QRESYNC", enables: true, code: true},
		{cmd: "STATUS Archive (HIGHESTMODSEQ)", enables: true, code: true},
		{cmd: "FETCH 1 (MODSEQ)", enables: true, code: true},
		{cmd: "UID FETCH 1 (FLAGS MODSEQ)", enables: true, code: true},
		{cmd: "FETCH 1:2 (FLAGS) (CHANGEDSINCE 1)", enables: true, code: true},
		{cmd: "SEARCH MODSEQ 1", enables: true, code: true},
		{cmd: "UID SEARCH RETURN (COUNT) NOT MODSEQ 1", enables: true, code: true},
		{cmd: "STORE 2 (UNCHANGEDSINCE 1) +FLAGS ($x)", enables: true, code: true},
		// SELECT and EXAMINE send HIGHESTMODSEQ anyway (QR-11).
		{cmd: "SELECT INBOX (CONDSTORE)", enables: true, selects: true},
		{cmd: "EXAMINE INBOX (condstore)", enables: true, selects: true},
		{cmd: "SELECT INBOX (QRESYNC (1 1))", enables: true, selects: true}, // the seed draft's form
		{cmd: "SELECT INBOX", selects: true},
		{cmd: "FETCH 1 (FLAGS UID)"},
		{cmd: "STORE 2 +FLAGS ($x)"},
		{cmd: "SEARCH ALL"},
		{cmd: "STATUS Archive (MESSAGES UIDNEXT)"},
		{cmd: "ENABLE IMAP4rev1 X-DRAFT-W01-QRESYNC"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			e := newTestEnv(t)
			e.importMessages("INBOX", 3)
			r := e.rawLoggedIn()
			r.do("S SELECT INBOX")
			highest := e.mailbox("INBOX").HighestModSeq
			lines, tagged := r.do("X " + tc.cmd)
			if !strings.HasPrefix(tagged, "X OK") {
				t.Fatalf("%s: %s", tc.cmd, tagged)
			}
			code := fmt.Sprintf("* OK [HIGHESTMODSEQ %d] highest", highest)
			if n := slices.Index(lines, code); tc.selects {
				if n < 0 {
					t.Errorf("no HIGHESTMODSEQ: %q", lines)
				}
			} else if tc.code != (n >= 0) {
				t.Errorf("HIGHESTMODSEQ code sent: %v, want %v: %q", n >= 0, tc.code, lines)
			} else if n > 0 {
				t.Errorf("HIGHESTMODSEQ code after other responses: %q", lines)
			}
			// It stays on across a new selection: a change made elsewhere
			// comes with UID and MODSEQ exactly when enabled.
			r.do("Z SELECT Archive")
			e.importMessages("Archive", 1)
			r.do("Z1 NOOP")
			e.setFlags("Archive", storage.FlagsAdd, `\Answered`, 1)
			lines, _ = r.do("Z2 NOOP")
			want := `* 1 FETCH (UID 1 FLAGS (\Answered))`
			if tc.enables {
				want = fmt.Sprintf(`* 1 FETCH (UID 1 FLAGS (\Answered) MODSEQ (%d))`, e.modSeqOf("Archive", 1))
			}
			wantLines(t, "change made elsewhere", lines, want)
			// A later enabling command sends HIGHESTMODSEQ only if it is
			// the first.
			lines, _ = r.do("Y FETCH 1 (MODSEQ)")
			if n := len(lines); tc.enables && n != 1 || !tc.enables && n != 2 {
				t.Errorf("a later enabling command answered %q", lines)
			}
		})
	}
}

// ENABLE CONDSTORE with no mailbox selected sends no HIGHESTMODSEQ; the
// first SELECT then sends it as always.
//
// spec: QR-10, QR-11
func TestEnableCondstoreUnselected(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	lines, _ := r.do("E ENABLE CONDSTORE")
	wantLines(t, "ENABLE", lines, "* ENABLED CONDSTORE")
	lines, _ = r.do("S SELECT INBOX")
	if n := len(slices.DeleteFunc(lines, func(l string) bool { return !strings.Contains(l, "HIGHESTMODSEQ") })); n != 1 {
		t.Errorf("SELECT sent %d HIGHESTMODSEQ codes", n)
	}
}

// UNCHANGEDSINCE names a message twice (7,3:9): it is changed once and
// does not fail the second time; message numbers and UIDs both work.
//
// spec: QR-15, QR-18
func TestUnchangedSinceDuplicates(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 10)
	r := e.rawLoggedIn()
	r.do("S SELECT INBOX (CONDSTORE)")
	m := e.mailbox("INBOX").HighestModSeq
	lines, tagged := r.do(fmt.Sprintf(`e105 STORE 7,3:9 (UNCHANGEDSINCE %d) +FLAGS.SILENT (\Deleted)`, m))
	if tagged != "e105 OK STORE completed" || len(lines) != 7 {
		t.Errorf("STORE 7,3:9: %q %s", lines, tagged)
	}
	lines, tagged = r.do(fmt.Sprintf(`e106 UID STORE 2,1:2,2 (UNCHANGEDSINCE %d) +FLAGS.SILENT (\Deleted)`, m))
	if tagged != "e106 OK UID STORE completed" || len(lines) != 2 {
		t.Errorf("UID STORE 2,1:2,2: %q %s", lines, tagged)
	}
}

// Malformed modifiers get BAD and change nothing: two UNCHANGEDSINCE, a
// value above 2^63-1, an unknown modifier, a non-number.
//
// spec: QR-19, QR-43
func TestStoreModifierErrors(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 2)
	r := e.rawLoggedIn()
	r.do("S SELECT INBOX")
	for i, mod := range []string{
		"(UNCHANGEDSINCE 5 UNCHANGEDSINCE 6)",
		"(UNCHANGEDSINCE 9223372036854775808)",
		"(UNCHANGEDSINCE 99999999999999999999)",
		"(UNCHANGEDSINCE x)",
		"(UNCHANGEDSINCE)",
		"(CHANGEDSINCE 5)",
	} {
		lines, tagged := r.do(fmt.Sprintf(`B%d STORE 1 %s +FLAGS (\Seen)`, i, mod))
		if !strings.HasPrefix(tagged, fmt.Sprintf("B%d BAD", i)) || len(lines) != 0 {
			t.Errorf("STORE %s: %q %s", mod, lines, tagged)
		}
	}
	if f := e.flagsOf("INBOX", 1); len(f) != 0 {
		t.Errorf("flags after bad STOREs: %v", f)
	}
	// The largest value allowed is accepted.
	_, tagged := r.do(`G STORE 1 (UNCHANGEDSINCE 9223372036854775807) +FLAGS.SILENT (\Seen)`)
	if !strings.HasPrefix(tagged, "G OK") {
		t.Errorf("UNCHANGEDSINCE 2^63-1: %s", tagged)
	}
}

// FETCH modifiers are checked like STORE's: CHANGEDSINCE twice, above
// 2^63-1, unknown ones, and the seed draft's REPORTEXPUNGES, which zest
// does not take, get BAD.
//
// spec: QR-24, QR-67
func TestFetchModifierErrors(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 2)
	r := e.rawLoggedIn()
	r.do("S SELECT INBOX")
	for i, mod := range []string{
		"(CHANGEDSINCE 1 CHANGEDSINCE 2)",
		"(CHANGEDSINCE 9223372036854775808)",
		"(CHANGEDSINCE -1)",
		"(CHANGEDSINCE)",
		"(UNCHANGEDSINCE 1)",
		"(CHANGEDSINCE 1 REPORTEXPUNGES)",
	} {
		lines, tagged := r.do(fmt.Sprintf("B%d UID FETCH 1:* (FLAGS) %s", i, mod))
		if !strings.HasPrefix(tagged, fmt.Sprintf("B%d BAD", i)) || len(lines) != 0 {
			t.Errorf("UID FETCH %s: %q %s", mod, lines, tagged)
		}
	}
	// CHANGEDSINCE 0 answers every message.
	lines, _ := r.do("C UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)")
	if len(lines) != 3 { // HIGHESTMODSEQ (first enabling command) and two FETCHes
		t.Errorf("CHANGEDSINCE 0: %q", lines)
	}
}

// A STORE by UID without UNCHANGEDSINCE in a CONDSTORE session reports UID
// once and MODSEQ; .SILENT reports nothing of its own changes but another
// session's change still comes, with UID and MODSEQ.
//
// spec: QR-09, QR-23
func TestStoreReportsInCondstoreSession(t *testing.T) {
	e := newTestEnv(t)
	e.importMessages("INBOX", 3)
	r := e.rawLoggedIn()
	r.do("S SELECT INBOX (CONDSTORE)")
	lines, _ := r.do(`A UID STORE 2 +FLAGS (\Flagged)`)
	wantLines(t, "UID STORE", lines, fmt.Sprintf(`* 2 FETCH (UID 2 FLAGS (\Flagged) MODSEQ (%d))`, e.modSeqOf("INBOX", 2)))
	e.setFlags("INBOX", storage.FlagsAdd, `$Other`, 3)
	lines, _ = r.do(`B STORE 1 +FLAGS.SILENT (\Flagged)`)
	wantLines(t, "STORE .SILENT", lines, fmt.Sprintf(`* 3 FETCH (UID 3 FLAGS ($Other) MODSEQ (%d))`, e.modSeqOf("INBOX", 3)))
}
