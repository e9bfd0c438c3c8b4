package imap

import (
	"context"
	"testing"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// go-imap's client, an independent parser, understands zest's CONDSTORE
// answers: HIGHESTMODSEQ on SELECT (CONDSTORE), MODSEQ in FETCH, FETCH
// CHANGEDSINCE, and a conditional STORE.
//
// spec: QR-11, QR-12, QR-15, QR-24, QR-25
func TestGoIMAPClientCondstore(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	c := e.client()
	sel, err := c.Select("INBOX", &imap.SelectOptions{CondStore: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.HighestModSeq == 0 || sel.NumMessages != 3 {
		t.Fatalf("SELECT (CONDSTORE): %+v", sel)
	}
	all, err := c.Fetch(imap.UIDSetNum(1, 2, 3), &imap.FetchOptions{UID: true, Flags: true, ModSeq: true}).Collect()
	if err != nil || len(all) != 3 {
		t.Fatalf("FETCH MODSEQ: %v %d", err, len(all))
	}
	for _, m := range all {
		if m.ModSeq == 0 || m.ModSeq > sel.HighestModSeq {
			t.Errorf("uid %d: MODSEQ %d, HIGHESTMODSEQ %d", m.UID, m.ModSeq, sel.HighestModSeq)
		}
	}

	// Another session flags message 2.
	mb, _ := e.store.MailboxByName(context.Background(), e.alice.ID, "INBOX")
	if _, err := e.store.StoreFlags(context.Background(), e.alice.ID, mb.ID, []storage.UID{2}, storage.FlagsAdd, []string{`\Flagged`}, storage.Unconditional); err != nil {
		t.Fatal(err)
	}
	changed, err := c.Fetch(imap.UIDSetNum(1, 2, 3), &imap.FetchOptions{UID: true, Flags: true, ChangedSince: sel.HighestModSeq}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	reported := false
	for _, m := range changed {
		if m.UID == 2 && m.ModSeq > sel.HighestModSeq && len(m.Flags) == 1 && m.Flags[0] == imap.FlagFlagged {
			reported = true
		} else if m.UID != 2 || m.ModSeq == 0 {
			// The unsolicited FETCH for the change may arrive too; it is
			// about uid 2 as well.
			t.Errorf("CHANGEDSINCE answered for uid %d (MODSEQ %d, flags %v)", m.UID, m.ModSeq, m.Flags)
		}
	}
	if !reported {
		t.Errorf("CHANGEDSINCE did not report uid 2: %+v", changed)
	}

	// A conditional STORE against the old mod-sequence leaves message 2
	// alone and changes message 1.
	res, err := c.Store(imap.UIDSetNum(1, 2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, &imap.StoreOptions{UnchangedSince: sel.HighestModSeq}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res {
		seen := false
		for _, f := range m.Flags {
			seen = seen || f == imap.FlagSeen
		}
		if m.UID == 1 && !seen || m.UID == 2 && seen {
			t.Errorf("conditional STORE: uid %d flags %v", m.UID, m.Flags)
		}
	}
	if f := e.flagsOf("INBOX", 2); len(f) != 1 || f[0] != `\Flagged` {
		t.Errorf("message 2 changed by a STORE that should have failed its test: %v", f)
	}
}
