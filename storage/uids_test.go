package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"zest/storage/kv"
)

// importN imports testMessage(first) .. testMessage(first+n-1) into a
// mailbox, the i-th flagged \Seen when seen(i), and returns their UIDs.
func importN(t *testing.T, s *Store, a AccountID, mb MailboxID, first, n int, seen func(int) bool) []UID {
	t.Helper()
	msgs := make([]ImportMessage, n)
	for i := range msgs {
		msgs[i] = ImportMessage{Raw: testMessage(first + i), InternalDate: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)}
		if seen(i) {
			msgs[i].Flags = []string{`\Seen`, "$Kept"}
		}
	}
	uids, err := s.Import(context.Background(), a, mb, msgs)
	if err != nil {
		t.Fatal(err)
	}
	return uids
}

// TestRenameInboxMovesMessagesOut: RENAME INBOX moves the messages, in
// several commits, to a new mailbox with a fresh UIDVALIDITY that numbers
// them from 1 in their old UID order; INBOX keeps its UIDVALIDITY, UIDNEXT
// and children, its next UID is above every UID it had, and the moved
// messages are tombstones in INBOX at one mod-sequence per commit.
//
// spec: MU-15, MU-03
func TestRenameInboxMovesMessagesOut(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	if _, err := s.CreateMailbox(ctx, a.ID, "INBOX/Lists"); err != nil {
		t.Fatal(err)
	}
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	n := 2*renameChunk + 7
	uids := importN(t, s, a.ID, inbox.ID, 0, n, func(i int) bool { return i%3 == 0 })
	// Expunging the highest UID must not let it be handed out again.
	if _, err := s.Expunge(ctx, a.ID, inbox.ID, []UID{5, uids[n-1]}); err != nil {
		t.Fatal(err)
	}
	before, src, err := s.Snapshot(ctx, a.ID, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	commits := (len(src) + renameChunk - 1) / renameChunk

	sub := s.Subscribe(a.ID, 100)
	defer sub.Close()
	if err := s.RenameMailbox(ctx, a.ID, "inbox", "Old/Mail"); err != nil {
		t.Fatal(err)
	}

	after, _ := s.Mailbox(ctx, a.ID, inbox.ID)
	if after.UIDValidity != before.UIDValidity || after.UIDNext != before.UIDNext || after.Messages != 0 || after.Unseen != 0 || after.Size != 0 {
		t.Errorf("INBOX after rename: %+v, before %+v", after, before)
	}
	if after.HighestModSeq != before.HighestModSeq+uint64(commits) {
		t.Errorf("INBOX HIGHESTMODSEQ %d -> %d, want one step per commit (%d commits)", before.HighestModSeq, after.HighestModSeq, commits)
	}
	ch, err := s.ChangesSince(ctx, a.ID, inbox.ID, before.HighestModSeq)
	if err != nil {
		t.Fatal(err)
	}
	var srcUIDs []UID
	for _, m := range src {
		srcUIDs = append(srcUIDs, m.UID)
	}
	if len(ch.Changed) != 0 || !slices.Equal(ch.Vanished, srcUIDs) {
		t.Errorf("INBOX changes since the rename: %d changed, %d vanished; want every moved UID vanished", len(ch.Changed), len(ch.Vanished))
	}

	moved, err := s.MailboxByName(ctx, a.ID, "Old/Mail")
	if err != nil {
		t.Fatal(err)
	}
	if moved.UIDValidity <= before.UIDValidity || moved.Messages != uint32(len(src)) || moved.UIDNext != UID(len(src)+1) ||
		moved.Unseen != before.Unseen || moved.Size != before.Size {
		t.Errorf("new mailbox %+v; INBOX was %+v", moved, before)
	}
	_, got, _ := s.Snapshot(ctx, a.ID, moved.ID)
	if len(got) != len(src) {
		t.Fatalf("%d messages moved, want %d", len(got), len(src))
	}
	for i, m := range got {
		o := src[i]
		if m.UID != UID(i+1) || m.Blob != o.Blob || !m.Flags.Equal(o.Flags) || !m.InternalDate.Equal(o.InternalDate) || m.Size != o.Size {
			t.Fatalf("moved message %d: UID %d %v %v, want UID %d holding old UID %d (%v %v)", i, m.UID, m.Flags, m.InternalDate, i+1, o.UID, o.Flags, o.InternalDate)
		}
	}
	for _, m := range []*Message{got[0], got[len(got)-1]} {
		if refs, _ := s.BlobRefs(ctx, m.Blob); refs != 1 {
			t.Errorf("body of moved UID %d has %d references, want 1", m.UID, refs)
		}
	}

	// INBOX's children stay where they are (RFC 3501 §6.3.5).
	if _, err := s.MailboxByName(ctx, a.ID, "INBOX/Lists"); err != nil {
		t.Errorf("INBOX/Lists after renaming INBOX: %v", err)
	}
	if _, err := s.MailboxByName(ctx, a.ID, "Old/Mail/Lists"); !errors.Is(err, ErrNoSuchMailbox) {
		t.Errorf("INBOX's child moved along: %v", err)
	}

	// Events: the parent and the mailbox are created, then each commit
	// appends to it and expunges from INBOX; nothing is renamed.
	var created []string
	var appended, expunged []UID
	for len(appended) < len(src) || len(expunged) < len(src) {
		select {
		case ev := <-sub.C:
			switch {
			case ev.Kind == MailboxCreate:
				created = append(created, ev.MailboxName)
			case ev.Kind == MessageAppend && ev.Mailbox == moved.ID:
				appended = append(appended, ev.UIDs...)
			case ev.Kind == MessageExpunge && ev.Mailbox == inbox.ID:
				expunged = append(expunged, ev.UIDs...)
			default:
				t.Errorf("unexpected event %v for %q", ev.Kind, ev.MailboxName)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("events: %d appended, %d expunged, want %d each", len(appended), len(expunged), len(src))
		}
	}
	if !slices.Equal(created, []string{"Old", "Old/Mail"}) || !slices.Equal(expunged, srcUIDs) || len(appended) != len(src) || !slices.IsSorted(appended) {
		t.Errorf("events: created %q, expunged %d UIDs, appended %d", created, len(expunged), len(appended))
	}

	// The next message in INBOX gets a UID above every UID it ever had.
	st := deliverOne(t, s, a.ID, "", testMessage(n+1))
	if st.MailboxID != inbox.ID || st.UIDValidity != before.UIDValidity || st.UID != before.UIDNext {
		t.Errorf("delivery after rename: %+v, want UID %d under UIDVALIDITY %d", st, before.UIDNext, before.UIDValidity)
	}
}

// TestRenameInboxSplitsLargeCommits: on an engine whose transactions
// cannot take renameChunk moves, the rename retries with smaller commits
// and still moves every message, in order.
//
// spec: MU-15
func TestRenameInboxSplitsLargeCommits(t *testing.T) {
	engine := kv.DefaultBadgerOptions()
	engine.MemTableSize = 1 << 20 // a transaction holds about 1,700 writes
	s, err := Open(t.TempDir(), Options{Password: cheapKDF, Engine: engine})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	n := renameChunk + 10
	for i := 0; i < n; i += 100 {
		importN(t, s, a.ID, inbox.ID, i, min(100, n-i), func(int) bool { return false })
	}
	before, src, _ := s.Snapshot(ctx, a.ID, inbox.ID)
	if err := s.RenameMailbox(ctx, a.ID, "INBOX", "Moved"); err != nil {
		t.Fatal(err)
	}
	moved, _ := s.MailboxByName(ctx, a.ID, "Moved")
	_, got, _ := s.Snapshot(ctx, a.ID, moved.ID)
	after, _ := s.Mailbox(ctx, a.ID, inbox.ID)
	if len(got) != n || after.Messages != 0 {
		t.Fatalf("%d of %d messages moved, %d left in INBOX", len(got), n, after.Messages)
	}
	for i, m := range got {
		if m.UID != UID(i+1) || m.Blob != src[i].Blob {
			t.Fatalf("moved message %d has UID %d and another body than old UID %d", i, m.UID, src[i].UID)
		}
	}
	commits := after.HighestModSeq - before.HighestModSeq
	t.Logf("moved in %d commits", commits)
	if commits <= 2 {
		t.Errorf("%d commits: the moves were not split into smaller commits", commits)
	}
}

// TestRenameInboxDuringDelivery: mail delivered while RENAME INBOX runs
// ends up in exactly one of the two mailboxes; the messages moved are all
// older than those that stayed, and keep their order.
//
// spec: MU-15, MU-07
func TestRenameInboxDuringDelivery(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	preload := importN(t, s, a.ID, inbox.ID, 0, 3*renameChunk, func(int) bool { return false })
	_, msgs, _ := s.Snapshot(ctx, a.ID, inbox.ID)
	oldUID := map[BlobHash]UID{}
	for _, m := range msgs {
		oldUID[m.Blob] = m.UID
	}

	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	going := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				raw := testMessage(100000 + w*1000 + i)
				res, err := s.Deliver(ctx, Incoming{Raw: raw}, []Target{{Account: a.ID}})
				if err == nil {
					err = res[0].Err
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				oldUID[BlobHash(sha256.Sum256(raw))] = res[0].UID
				if len(oldUID) == len(preload)+40 {
					close(going) // rename once deliveries are under way
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-going:
	case <-time.After(10 * time.Second):
		t.Fatal("deliveries did not get under way")
	}
	if err := s.RenameMailbox(ctx, a.ID, "INBOX", "Before"); err != nil {
		errs <- err
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	moved, _ := s.MailboxByName(ctx, a.ID, "Before")
	_, out, _ := s.Snapshot(ctx, a.ID, moved.ID)
	_, stayed, _ := s.Snapshot(ctx, a.ID, inbox.ID)
	if got, want := len(out)+len(stayed), len(preload)+400; got != want {
		t.Fatalf("%d moved + %d stayed = %d messages, want %d", len(out), len(stayed), got, want)
	}
	t.Logf("of 400 concurrent deliveries %d moved, %d stayed", len(out)-len(preload), len(stayed))
	if len(out) < len(preload) {
		t.Errorf("only %d of the %d messages INBOX held before the rename moved", len(out), len(preload))
	}
	var last UID
	for i, m := range out {
		o := oldUID[m.Blob]
		if m.UID != UID(i+1) || o <= last {
			t.Fatalf("moved message %d: UID %d, old UID %d after %d", i, m.UID, o, last)
		}
		last = o
	}
	for _, m := range stayed {
		if m.UID <= last {
			t.Errorf("UID %d stayed in INBOX although UID %d was moved", m.UID, last)
		}
	}
}

// TestEveryWayInGetsAFreshUID: whatever adds a message to a mailbox
// (delivery, APPEND, COPY, MOVE, import), it gets a UID above every UID
// the mailbox ever handed out, even after the highest was expunged.
//
// spec: MU-03, MU-04, MU-05, MU-10
func TestEveryWayInGetsAFreshUID(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	dest, err := s.CreateMailbox(ctx, a.ID, "Dest")
	if err != nil {
		t.Fatal(err)
	}
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	for i := range 4 {
		deliverOne(t, s, a.ID, "", testMessage(i))
	}
	deliver := func(kind EventKind) func(int) UID {
		return func(i int) UID {
			res, err := s.Deliver(ctx, Incoming{Raw: testMessage(100 + i), Kind: kind}, []Target{{Account: a.ID, Mailbox: "Dest"}})
			if err != nil || res[0].Err != nil {
				t.Fatalf("deliver: %v %v", err, res)
			}
			return res[0].UID
		}
	}
	copyOrMove := func(move bool) func(int) UID {
		return func(i int) UID {
			res, err := s.Copy(ctx, a.ID, inbox.ID, []UID{UID(i%4 + 1)}, dest.ID, move)
			if err != nil || len(res.Dest) != 1 {
				t.Fatalf("copy: %v %+v", err, res)
			}
			return res.Dest[0]
		}
	}
	ways := []struct {
		name string
		add  func(i int) UID
	}{
		{"LMTP/SMTP delivery", deliver(MessageNew)},
		{"APPEND or Sieve fileinto", deliver(MessageAppend)},
		{"COPY", copyOrMove(false)},
		{"MOVE", copyOrMove(true)},
		{"import", func(i int) UID {
			uids, err := s.Import(ctx, a.ID, dest.ID, []ImportMessage{{Raw: testMessage(200 + i)}})
			if err != nil || len(uids) != 1 {
				t.Fatalf("import: %v %v", err, uids)
			}
			return uids[0]
		}},
	}
	var highest UID
	for i, w := range ways {
		uid := w.add(i)
		if uid != highest+1 {
			t.Errorf("%s got UID %d; the highest UID ever handed out was %d", w.name, uid, highest)
		}
		highest = max(highest, uid)
		// Expunge what was just added: the next way must not reuse it.
		if gone, err := s.Expunge(ctx, a.ID, dest.ID, []UID{uid}); err != nil || len(gone) != 1 {
			t.Fatalf("expunge %d: %v %v", uid, gone, err)
		}
		mb, _ := s.Mailbox(ctx, a.ID, dest.ID)
		if mb.UIDNext != highest+1 || mb.Messages != 0 {
			t.Errorf("after %s and its expunge: UIDNEXT %d, %d messages; want UIDNEXT %d", w.name, mb.UIDNext, mb.Messages, highest+1)
		}
	}
}

// TestRenameKeepsUIDs: renaming any mailbox but INBOX keeps its and its
// children's UIDVALIDITY, UIDs and UIDNEXT.
//
// spec: MU-14, MU-06
func TestRenameKeepsUIDs(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	for _, name := range []string{"Work", "Work/2025"} {
		if _, err := s.CreateMailbox(ctx, a.ID, name); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			deliverOne(t, s, a.ID, name, testMessage(i))
		}
	}
	work, _ := s.MailboxByName(ctx, a.ID, "Work")
	s.Expunge(ctx, a.ID, work.ID, []UID{3})
	type state struct {
		mb   *Mailbox
		msgs []*Message
	}
	snap := func(name string) state {
		mb, err := s.MailboxByName(ctx, a.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		_, msgs, _ := s.Snapshot(ctx, a.ID, mb.ID)
		return state{mb, msgs}
	}
	old := map[string]state{"Work": snap("Work"), "Work/2025": snap("Work/2025")}
	if err := s.RenameMailbox(ctx, a.ID, "Work", "Projects/Done"); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{"Work": "Projects/Done", "Work/2025": "Projects/Done/2025"} {
		o, n := old[from], snap(to)
		if n.mb.ID != o.mb.ID || n.mb.UIDValidity != o.mb.UIDValidity || n.mb.UIDNext != o.mb.UIDNext || n.mb.HighestModSeq != o.mb.HighestModSeq {
			t.Errorf("%s renamed to %s: %+v, was %+v", from, to, n.mb, o.mb)
		}
		if len(n.msgs) != len(o.msgs) {
			t.Fatalf("%s: %d messages, was %d", to, len(n.msgs), len(o.msgs))
		}
		for i := range n.msgs {
			if n.msgs[i].UID != o.msgs[i].UID || n.msgs[i].Blob != o.msgs[i].Blob {
				t.Errorf("%s message %d: UID %d, was %d", to, i, n.msgs[i].UID, o.msgs[i].UID)
			}
		}
	}
	if st := deliverOne(t, s, a.ID, "Projects/Done", testMessage(9)); st.UID != 4 || st.UIDValidity != old["Work"].mb.UIDValidity {
		t.Errorf("delivery after rename: UID %d UIDVALIDITY %d, want 4 and %d", st.UID, st.UIDValidity, old["Work"].mb.UIDValidity)
	}
}
