package storage

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"zest/storage/kv"
)

// tombstones lists a mailbox's expunge tombstones as (mod-sequence, UID)
// pairs, in key order.
func tombstones(t *testing.T, s *Store, a AccountID, mb MailboxID) [][2]uint64 {
	t.Helper()
	var out [][2]uint64
	err := s.view(func(r kv.Reader) error {
		prefix := perMailbox(tTombstone, a, mb, 0)
		return r.Scan(prefix, kv.PrefixEnd(prefix), false, func(k, _ []byte) (bool, error) {
			m, u := modseqUIDFromKey(k)
			out = append(out, [2]uint64{m, uint64(u)})
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Mod-sequences are counters kept in the store: they grow when the clock
// goes back and across a restart, and the tombstones of expunged messages
// survive the restart, found by mod-sequence.
//
// spec: QR-04, QR-14, QR-41
func TestModSeqsAndTombstonesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var mu sync.Mutex
	clock := time.Now()
	setClock := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	open := func() *Store {
		s, err := Open(dir, Options{Password: cheapKDF, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	a := mustAccount(t, s, "alice@example.org")
	var mbID MailboxID
	for i := range 5 {
		mbID = deliverOne(t, s, a.ID, "", testMessage(i)).MailboxID
	}
	highest := func() uint64 {
		mb, err := s.Mailbox(ctx, a.ID, mbID)
		if err != nil {
			t.Fatal(err)
		}
		return mb.HighestModSeq
	}
	m0 := highest()

	setClock(-time.Hour)
	res, err := s.StoreFlags(ctx, a.ID, mbID, []UID{1}, FlagsAdd, []string{`\Seen`}, Unconditional)
	if err != nil || len(res.Changed) != 1 || res.Changed[0].ModSeq != m0+1 {
		t.Fatalf("store with the clock an hour back: %v %+v", err, res)
	}
	if _, err := s.Expunge(ctx, a.ID, mbID, []UID{2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	setClock(-24 * time.Hour)
	s = open()
	defer s.Close()
	if got := highest(); got != m0+2 {
		t.Errorf("HIGHESTMODSEQ %d after restart, want %d", got, m0+2)
	}
	ch, err := s.ChangesSince(ctx, a.ID, mbID, m0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Changed) != 1 || ch.Changed[0].UID != 1 || !slices.Equal(ch.Vanished, []UID{2, 3}) || ch.EarliestExpunge != m0+2 {
		t.Errorf("changes since %d after restart: changed %v, vanished %v at %d", m0, ch.Changed, ch.Vanished, ch.EarliestExpunge)
	}
	if ch, _ := s.ChangesSince(ctx, a.ID, mbID, m0+2); len(ch.Changed)+len(ch.Vanished) != 0 {
		t.Errorf("changes since %d: %+v", m0+2, ch)
	}
	res, err = s.StoreFlags(ctx, a.ID, mbID, []UID{4}, FlagsAdd, []string{`$Later`}, Unconditional)
	if err != nil || len(res.Changed) != 1 || res.Changed[0].ModSeq != m0+3 {
		t.Errorf("store after restart: %v %+v", err, res)
	}
}

// An expunge, a MOVE's removal and a copy each raise a mailbox's
// mod-sequence once; every message removed gets its tombstone at that
// mod-sequence.
//
// spec: QR-36, QR-07
func TestRemovalTakesOneModSeq(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	var inbox MailboxID
	for i := range 6 {
		inbox = deliverOne(t, s, a.ID, "", testMessage(i)).MailboxID
	}
	archive, err := s.MailboxByName(ctx, a.ID, "Archive")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := s.Mailbox(ctx, a.ID, inbox)
	m0 := mb.HighestModSeq
	if _, err := s.Expunge(ctx, a.ID, inbox, []UID{1, 3, 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Copy(ctx, a.ID, inbox, []UID{2, 4}, archive.ID, true); err != nil {
		t.Fatal(err)
	}
	want := [][2]uint64{{m0 + 1, 1}, {m0 + 1, 3}, {m0 + 1, 5}, {m0 + 2, 2}, {m0 + 2, 4}}
	if got := tombstones(t, s, a.ID, inbox); !slices.Equal(got, want) {
		t.Errorf("tombstones %v, want %v", got, want)
	}
	mb, _ = s.Mailbox(ctx, a.ID, inbox)
	dst, _ := s.Mailbox(ctx, a.ID, archive.ID)
	if mb.HighestModSeq != m0+2 || dst.HighestModSeq != archive.HighestModSeq+1 {
		t.Errorf("HIGHESTMODSEQ: INBOX %d (want %d), Archive %d (want %d)", mb.HighestModSeq, m0+2, dst.HighestModSeq, archive.HighestModSeq+1)
	}
}

// Expiring tombstones drops those up to a mark, records the mark (never
// lowering it) and leaves HIGHESTMODSEQ alone; ChangesSince tells the
// mark. Deleting a mailbox deletes its tombstones.
//
// spec: QR-14, QR-42
func TestExpireAndDeleteTombstones(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	if _, err := s.CreateMailbox(ctx, a.ID, "Lists"); err != nil {
		t.Fatal(err)
	}
	var id MailboxID
	for i := range 5 {
		id = deliverOne(t, s, a.ID, "Lists", testMessage(i)).MailboxID
	}
	var marks []uint64
	for _, u := range []UID{1, 2, 3} {
		if _, err := s.Expunge(ctx, a.ID, id, []UID{u}); err != nil {
			t.Fatal(err)
		}
		mb, _ := s.Mailbox(ctx, a.ID, id)
		marks = append(marks, mb.HighestModSeq)
	}
	if err := s.ExpireTombstones(ctx, a.ID, id, marks[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.ExpireTombstones(ctx, a.ID, id, marks[0]); err != nil { // an older mark changes nothing
		t.Fatal(err)
	}
	mb, _ := s.Mailbox(ctx, a.ID, id)
	if mb.ExpungedBefore != marks[1] || mb.HighestModSeq != marks[2] {
		t.Errorf("after expiry: expunged before %d (want %d), HIGHESTMODSEQ %d (want %d)", mb.ExpungedBefore, marks[1], mb.HighestModSeq, marks[2])
	}
	ch, err := s.ChangesSince(ctx, a.ID, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ch.Vanished, []UID{3}) || ch.ExpungedBefore != marks[1] || ch.UIDNext != 6 {
		t.Errorf("changes since 0: vanished %v, expunged before %d, UIDNEXT %d", ch.Vanished, ch.ExpungedBefore, ch.UIDNext)
	}
	if got := tombstones(t, s, a.ID, id); len(got) != 1 {
		t.Errorf("tombstones left: %v", got)
	}
	if err := s.DeleteMailbox(ctx, a.ID, "Lists"); err != nil {
		t.Fatal(err)
	}
	if got := tombstones(t, s, a.ID, id); len(got) != 0 {
		t.Errorf("tombstones of a deleted mailbox: %v", got)
	}
}

// The daily cleanup keeps a mailbox's tombstones bounded: over the limit,
// the oldest are dropped down to three quarters of it, ExpungedBefore
// marks where, and what is left still answers "what vanished since".
//
// spec: QR-42
func TestTombstonesAreBounded(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	mb, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	var msgs []ImportMessage
	for i := range 100 {
		msgs = append(msgs, ImportMessage{Raw: testMessage(i)})
	}
	uids, err := s.Import(ctx, a.ID, mb.ID, msgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uids[:50] { // 50 expunges, 50 mod-sequences
		if _, err := s.Expunge(ctx, a.ID, mb.ID, []UID{u}); err != nil {
			t.Fatal(err)
		}
	}
	if box, _ := s.Mailbox(ctx, a.ID, mb.ID); box.Tombstones != 50 {
		t.Fatalf("%d tombstones counted, want 50", box.Tombstones)
	}
	if err := s.boundTombstones(ctx, 40); err != nil {
		t.Fatal(err)
	}
	box, _ := s.Mailbox(ctx, a.ID, mb.ID)
	if box.Tombstones != 30 || box.ExpungedBefore == 0 {
		t.Fatalf("after the cleanup: %d tombstones, expunged before %d; want 30 and a mark", box.Tombstones, box.ExpungedBefore)
	}
	ch, err := s.ChangesSince(ctx, a.ID, mb.ID, box.ExpungedBefore)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Vanished) != 30 || ch.Vanished[0] != uids[20] {
		t.Errorf("tombstones left: %v, want the newest 30 from uid %d", ch.Vanished, uids[20])
	}
	if err := s.boundTombstones(ctx, 40); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Mailbox(ctx, a.ID, mb.ID); again.Tombstones != 30 {
		t.Errorf("a mailbox under the limit lost tombstones: %d", again.Tombstones)
	}
}
