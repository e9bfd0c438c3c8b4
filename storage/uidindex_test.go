package storage

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"zest/storage/kv"
)

// checkIndexes compares the indexes with the message records they summarise.
func checkIndexes(t *testing.T, s *Store, a AccountID, mb MailboxID) {
	t.Helper()
	ctx := context.Background()
	box, msgs, err := s.Snapshot(ctx, a, mb)
	if err != nil {
		t.Fatal(err)
	}
	op, err := s.OpenMailbox(ctx, a, mb, 0)
	if err != nil {
		t.Fatal(err)
	}
	var uids, deleted []UID
	var firstUnseen UID
	for _, m := range msgs {
		uids = append(uids, m.UID)
		if m.Flags.System&FlagSeen == 0 && firstUnseen == 0 {
			firstUnseen = m.UID
		}
		if m.Flags.System&FlagDeleted != 0 {
			deleted = append(deleted, m.UID)
		}
		for _, k := range m.Flags.Keywords {
			if !slices.Contains(box.Keywords, k) {
				t.Errorf("keyword %s of uid %d missing from the mailbox's list %v", k, m.UID, box.Keywords)
			}
		}
	}
	if !slices.Equal(op.UIDs, uids) && !(len(op.UIDs) == 0 && len(uids) == 0) {
		t.Fatalf("presence bitmap gives %d uids, records %d (first diff near %v)", len(op.UIDs), len(uids), firstDiff(op.UIDs, uids))
	}
	if op.FirstUnseen != firstUnseen {
		t.Errorf("first unseen %d, records say %d", op.FirstUnseen, firstUnseen)
	}
	got, err := s.DeletedUIDs(ctx, a, mb)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, deleted) && !(len(got) == 0 && len(deleted) == 0) {
		t.Errorf("deleted index %v, records %v", got, deleted)
	}
}

func firstDiff(a, b []UID) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// The indexes follow every kind of change, across block boundaries.
func TestIndexesFollowChanges(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	arch, _ := s.MailboxByName(ctx, a.ID, "Archive")
	var msgs []ImportMessage
	for i := range 9000 { // three presence blocks
		msgs = append(msgs, ImportMessage{Raw: testMessage(i)})
	}
	if _, err := s.Import(ctx, a.ID, inbox.ID, msgs); err != nil {
		t.Fatal(err)
	}
	checkIndexes(t, s, a.ID, inbox.ID)
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(n int) []UID {
		var out []UID
		for range n {
			out = append(out, UID(1+rng.IntN(9000)))
		}
		return out
	}
	steps := []func(){
		func() {
			s.StoreFlags(ctx, a.ID, inbox.ID, pick(300), FlagsAdd, []string{`\Seen`, "$Work"}, Unconditional)
		},
		func() { s.StoreFlags(ctx, a.ID, inbox.ID, pick(200), FlagsAdd, []string{`\Deleted`}, Unconditional) },
		func() { s.StoreFlags(ctx, a.ID, inbox.ID, pick(100), FlagsRemove, []string{`\Seen`}, Unconditional) },
		func() { s.StoreFlags(ctx, a.ID, inbox.ID, pick(50), FlagsReplace, []string{"$Later"}, Unconditional) },
		func() { s.Expunge(ctx, a.ID, inbox.ID, pick(400)) },
		func() { s.Copy(ctx, a.ID, inbox.ID, pick(300), arch.ID, true) },
		func() { s.Copy(ctx, a.ID, inbox.ID, pick(300), arch.ID, false) },
		func() { deliverOne(t, s, a.ID, "", testMessage(99999)) },
	}
	for _, step := range steps {
		step()
		checkIndexes(t, s, a.ID, inbox.ID)
		checkIndexes(t, s, a.ID, arch.ID)
	}
	// Emptying a block removes it.
	op, _ := s.OpenMailbox(ctx, a.ID, inbox.ID, 0)
	if _, err := s.Expunge(ctx, a.ID, inbox.ID, op.UIDs); err != nil {
		t.Fatal(err)
	}
	checkIndexes(t, s, a.ID, inbox.ID)
	n := 0
	s.view(func(r kv.Reader) error {
		p := perMailbox(tPresence, a.ID, inbox.ID, 0)
		return r.Scan(p, nil, false, func(k, _ []byte) (bool, error) {
			if len(k) >= len(p) && string(k[:len(p)]) == string(p) {
				n++
			}
			return true, nil
		})
	})
	if n != 0 {
		t.Errorf("%d presence blocks left in an empty mailbox", n)
	}
}

// A store written before the indexes existed gets them when opened.
func TestIndexesBuiltForOlderStore(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	var mbID MailboxID
	for i := range 50 {
		mbID = deliverOne(t, s, a.ID, "", testMessage(i)).MailboxID
	}
	s.StoreFlags(ctx, a.ID, mbID, []UID{3, 7}, FlagsAdd, []string{`\Seen`, `\Deleted`, "$X"}, Unconditional)
	// Make it look like an older store: no indexes, no version mark.
	err := s.write(ctx, "test", func(tx *wtx) error {
		for _, table := range []byte{tPresence, tFlagIndex} {
			var keys [][]byte
			tx.Scan([]byte{table}, []byte{table + 1}, false, func(k, _ []byte) (bool, error) {
				keys = append(keys, slices.Clone(k))
				return true, nil
			})
			for _, k := range keys {
				tx.Delete(k)
			}
		}
		mb, _ := readMailbox(tx, a.ID, mbID)
		mb.Keywords = nil
		tx.putMailbox(mb)
		return tx.Delete(seqKey("index-version"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if op, _ := s.OpenMailbox(ctx, a.ID, mbID, 0); len(op.UIDs) != 0 {
		t.Fatal("the indexes were not removed")
	}
	s.Close()
	s = openTestStore(t, dir)
	defer s.Close()
	checkIndexes(t, s, a.ID, mbID)
	if box, _ := s.Mailbox(ctx, a.ID, mbID); !slices.Contains(box.Keywords, "$X") {
		t.Errorf("keywords not rebuilt: %v", box.Keywords)
	}
}
