package imap

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// mirror is a client's local copy of a mailbox, as a QRESYNC client keeps
// it: UID -> flags, plus what it needs to resynchronise.
type mirror struct {
	uidValidity uint32
	modSeq      uint64
	exists      int
	flags       map[storage.UID]string // sorted, space-separated flag names
}

var (
	fetchLine   = regexp.MustCompile(`^\* (\d+) FETCH \(UID (\d+) FLAGS \(([^)]*)\) MODSEQ \((\d+)\)\)$`)
	vanishedRe  = regexp.MustCompile(`^\* VANISHED (\(EARLIER\) )?([0-9:,]+)$`)
	codeNumRe   = regexp.MustCompile(`^\* OK \[(UIDVALIDITY|HIGHESTMODSEQ) (\d+)\]`)
	existsRe    = regexp.MustCompile(`^\* (\d+) EXISTS$`)
	taggedModRe = regexp.MustCompile(`\[HIGHESTMODSEQ (\d+)\]`)
)

// normFlags sorts flag names and drops \Recent, which belongs to a session,
// not to the message.
func normFlags(s string) string {
	f := slices.DeleteFunc(strings.Fields(s), func(n string) bool { return n == `\Recent` })
	slices.Sort(f)
	return strings.Join(f, " ")
}

// apply reads the responses of one command into the mirror and returns the
// tagged line.
func (m *mirror) apply(t testing.TB, r *rawConn, tag string) string {
	t.Helper()
	for {
		l := r.line()
		if strings.HasPrefix(l, tag+" ") {
			if !strings.HasPrefix(l, tag+" OK") {
				t.Fatalf("%s failed: %s", tag, l)
			}
			return l
		}
		if g := fetchLine.FindStringSubmatch(l); g != nil {
			uid, _ := strconv.ParseUint(g[2], 10, 32)
			m.flags[storage.UID(uid)] = normFlags(g[3])
			ms, _ := strconv.ParseUint(g[4], 10, 64)
			_ = ms
			continue
		}
		if g := vanishedRe.FindStringSubmatch(l); g != nil {
			for _, part := range strings.Split(g[2], ",") {
				lo, hi, _ := strings.Cut(part, ":")
				a, _ := strconv.ParseUint(lo, 10, 32)
				b := a
				if hi != "" {
					b, _ = strconv.ParseUint(hi, 10, 32)
				}
				for u := a; u <= b; u++ {
					if _, ok := m.flags[storage.UID(u)]; ok {
						delete(m.flags, storage.UID(u))
					}
				}
				if g[1] == "" { // without EARLIER each UID lowers the count
					m.exists -= int(b - a + 1)
				}
			}
			continue
		}
		if g := codeNumRe.FindStringSubmatch(l); g != nil {
			n, _ := strconv.ParseUint(g[2], 10, 64)
			if g[1] == "UIDVALIDITY" {
				m.uidValidity = uint32(n)
			} else {
				m.modSeq = n
			}
			continue
		}
		if g := existsRe.FindStringSubmatch(l); g != nil {
			m.exists, _ = strconv.Atoi(g[1])
		}
	}
}

// spec: QR-44, QR-45, QR-46, QR-47, QR-51, QR-52, QR-35, QR-55
//
// Two clients share a mailbox. One changes flags, expunges and receives new
// mail while the other is away; the other comes back with SELECT (QRESYNC)
// and its copy then equals the store, message by message.
func TestQresyncReconnectMatchesServer(t *testing.T) {
	sizes := []int{10, 10000, 100000}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		t.Run(strconv.Itoa(n), func(t *testing.T) { testQresyncReconnect(t, n) })
	}
}

func testQresyncReconnect(t *testing.T, n int) {
	e := newTestEnv(t)
	ctx := context.Background()
	inbox, err := e.store.MailboxByName(ctx, e.alice.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	msgs := make([]storage.ImportMessage, n)
	for i := range msgs {
		msgs[i].Raw = message(i)
		if rng.IntN(3) == 0 {
			msgs[i].Flags = []string{`\Seen`}
		}
	}
	if _, err := e.store.Import(ctx, e.alice.ID, inbox.ID, msgs); err != nil {
		t.Fatal(err)
	}

	// The phone's first full synchronisation.
	b := e.rawLoggedIn()
	b.send("E ENABLE QRESYNC")
	b.untilTagged("E OK")
	m := &mirror{flags: map[storage.UID]string{}}
	b.send("S SELECT INBOX")
	m.apply(t, b, "S")
	b.send("F UID FETCH 1:* (FLAGS MODSEQ)")
	m.apply(t, b, "F")
	if len(m.flags) != n || m.exists != n {
		t.Fatalf("first sync: %d messages, EXISTS %d, want %d", len(m.flags), m.exists, n)
	}
	b.send("Z LOGOUT")
	b.untilTagged("Z OK")

	// Meanwhile, on the desktop: flag changes, expunges, new mail.
	a := e.rawLoggedIn()
	a.send("S SELECT INBOX")
	a.untilTagged("S OK")
	changes := min(n, 100)
	for i := range changes {
		uid := 1 + rng.IntN(n)
		op := []string{`+FLAGS (\Flagged)`, `-FLAGS (\Seen)`, `+FLAGS (\Seen $Work)`, `FLAGS ($Later)`}[i%4]
		a.send(fmt.Sprintf("C%d UID STORE %d %s", i, uid, op))
		a.untilTagged(fmt.Sprintf("C%d OK", i))
	}
	expunges := min(n/2, 10)
	var doomed []string
	for range expunges {
		doomed = append(doomed, strconv.Itoa(1+rng.IntN(n)))
	}
	set := strings.Join(doomed, ",")
	a.send("D UID STORE " + set + ` +FLAGS.SILENT (\Deleted)`)
	a.untilTagged("D OK")
	a.send("X UID EXPUNGE " + set)
	a.untilTagged("X OK")
	a.send("Z LOGOUT")
	a.untilTagged("Z OK")
	e.deliver("", message(n+1), message(n+2))

	// The phone comes back.
	b = e.rawLoggedIn()
	b.send("E ENABLE QRESYNC")
	b.untilTagged("E OK")
	start := time.Now()
	b.send(fmt.Sprintf("S SELECT INBOX (QRESYNC (%d %d))", m.uidValidity, m.modSeq))
	m.apply(t, b, "S")
	took := time.Since(start)
	t.Logf("%d messages: QRESYNC select after %d changes and %d expunges took %v", n, changes, expunges, took)

	_, truth, err := e.store.Snapshot(ctx, e.alice.ID, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.exists != len(truth) {
		t.Errorf("EXISTS %d, store has %d messages", m.exists, len(truth))
	}
	if len(m.flags) != len(truth) {
		t.Errorf("client copy has %d messages, store %d", len(m.flags), len(truth))
	}
	for _, msg := range truth {
		got, ok := m.flags[msg.UID]
		if !ok {
			t.Errorf("uid %d missing from the client's copy", msg.UID)
			continue
		}
		if want := normFlags(strings.Join(msg.Flags.Names(), " ")); got != want {
			t.Errorf("uid %d: client has flags %q, store %q", msg.UID, got, want)
		}
	}
	if t.Failed() {
		return
	}
	// Live updates after the resync come as VANISHED, and the copy stays right.
	if _, err := e.store.Expunge(ctx, e.alice.ID, inbox.ID, []storage.UID{truth[0].UID}); err != nil {
		t.Fatal(err)
	}
	b.send("N NOOP")
	m.apply(t, b, "N")
	if _, ok := m.flags[truth[0].UID]; ok || m.exists != len(truth)-1 {
		t.Errorf("after an expunge elsewhere: uid %d still there or EXISTS %d", truth[0].UID, m.exists)
	}
}

// A session keeps at most maxKeptRecords message records between commands:
// after a FETCH of every message of a larger mailbox, the next one reads
// them again, while a smaller mailbox is answered from memory.
func TestViewKeepsBoundedRecords(t *testing.T) {
	for _, c := range []struct {
		messages  int
		rereading bool
	}{{maxKeptRecords / 2, false}, {maxKeptRecords + 5000, true}} {
		e := newTestEnv(t)
		e.importMessages("INBOX", c.messages)
		r := e.rawLoggedIn()
		r.send("S SELECT INBOX")
		r.untilTagged("S OK")
		r.send("F1 FETCH 1:* (FLAGS)")
		r.untilTagged("F1 OK")
		before := e.srv.reads.records.Load()
		r.send("F2 FETCH 1:* (FLAGS)")
		if got := len(r.untilTagged("F2 OK")); got != c.messages {
			t.Fatalf("%d messages: second FETCH answered %d", c.messages, got)
		}
		reread := e.srv.reads.records.Load() - before
		if c.rereading && reread != int64(c.messages) || !c.rereading && reread != 0 {
			t.Errorf("%d messages: the second FETCH read %d records from the store", c.messages, reread)
		}
	}
}
