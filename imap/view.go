package imap

import (
	"context"
	"slices"
	"sort"

	"github.com/emersion/go-imap/v2"

	"zest/imap/wire"
	"zest/storage"
)

// view is the selected mailbox as this session's client knows it: the
// sequence numbers it was told (each a UID), and what it still has to be
// told. It is updated from the store's change index, not from event
// contents: an event only says "look", so a lost event (a slow session's
// overflow) costs nothing but a look.
type view struct {
	account     storage.AccountID
	mailbox     storage.MailboxID
	name        string
	uidValidity uint32
	readOnly    bool

	uids    []storage.UID // sequence number i+1 is uids[i], expunged-but-untold included
	modseqs []uint64      // per message, the mod-sequence of what the client was told
	// recs holds each message's current record, kept up to date from the
	// change index, so FETCH and SEARCH read flags, dates and sizes from
	// memory instead of scanning the store (about 100 bytes a message).
	recs   []*storage.Message
	synced uint64 // the mailbox's HIGHESTMODSEQ this view has read up to
	told   int    // the EXISTS count last reported

	// recent holds the messages this session is the first to see
	// (\Recent, RFC 3501 §2.3.2); showRecent is false under IMAP4rev2.
	recent     map[storage.UID]bool
	toldRecent int
	showRecent bool
	claims     *recentClaims

	gone    map[storage.UID]bool             // expunged in the store, EXPUNGE not yet sent
	changed map[storage.UID]*storage.Message // flags changed, FETCH not yet sent

	saved imap.UIDSet // the result SEARCH RETURN (SAVE) kept for "$" (RFC 5182); nil: none yet
}

func newView(box *storage.Mailbox, msgs []*storage.Message, readOnly bool) *view {
	v := &view{
		account: box.Account, mailbox: box.ID, name: box.Name, uidValidity: box.UIDValidity, readOnly: readOnly,
		uids: make([]storage.UID, len(msgs)), modseqs: make([]uint64, len(msgs)), recs: msgs,
		synced: box.HighestModSeq, told: len(msgs),
		gone: map[storage.UID]bool{}, changed: map[storage.UID]*storage.Message{}, recent: map[storage.UID]bool{},
	}
	for i, m := range msgs {
		v.uids[i], v.modseqs[i] = m.UID, m.ModSeq
	}
	return v
}

// index returns the position of uid, or -1.
func (v *view) index(uid storage.UID) int {
	i, found := slices.BinarySearch(v.uids, uid)
	if !found {
		return -1
	}
	return i
}

// refresh reads what changed in the store since the view last looked.
func (v *view) refresh(ctx context.Context, st *storage.Store) error {
	ch, err := st.ChangesSince(ctx, v.account, v.mailbox, v.synced)
	if err != nil {
		return err
	}
	var last storage.UID
	if n := len(v.uids); n > 0 {
		last = v.uids[n-1]
	}
	var added []*storage.Message
	for _, m := range ch.Changed {
		if m.UID > last {
			added = append(added, m)
			continue
		}
		i := v.index(m.UID)
		if i < 0 {
			continue
		}
		v.recs[i] = m
		if m.ModSeq > v.modseqs[i] && !v.gone[m.UID] {
			v.changed[m.UID] = m
		}
	}
	sort.Slice(added, func(i, j int) bool { return added[i].UID < added[j].UID })
	if len(added) > 0 && !v.readOnly && v.showRecent && v.claims != nil {
		from := v.claims.claim(v.mailbox, added[len(added)-1].UID, added[0].UID)
		for _, m := range added {
			if m.UID >= from {
				v.recent[m.UID] = true
			}
		}
	}
	for _, m := range added {
		v.uids = append(v.uids, m.UID)
		v.modseqs = append(v.modseqs, m.ModSeq)
		v.recs = append(v.recs, m)
	}
	for _, uid := range ch.Vanished {
		if v.index(uid) >= 0 {
			v.gone[uid] = true
			delete(v.changed, uid)
		}
	}
	v.synced = max(v.synced, ch.HighestModSeq)
	return nil
}

// report writes what the client has not been told yet: EXPUNGEs (only
// when allowed), EXISTS, and FETCH FLAGS for changes made by others.
func (v *view) report(enc *wire.Encoder, allowExpunge, condstore bool) {
	if allowExpunge && len(v.gone) > 0 {
		// Highest first, so each sequence number is still right when sent.
		for i := len(v.uids) - 1; i >= 0; i-- {
			if uid := v.uids[i]; v.gone[uid] {
				enc.Raw("* ").Number(uint32(i + 1)).Raw(" EXPUNGE").CRLF()
				delete(v.gone, uid)
				v.uids = slices.Delete(v.uids, i, i+1)
				v.modseqs = slices.Delete(v.modseqs, i, i+1)
				v.recs = slices.Delete(v.recs, i, i+1)
				if v.recent[uid] {
					// The EXPUNGE takes it out of the client's recent count too.
					delete(v.recent, uid)
					v.toldRecent--
				}
				v.told--
			}
		}
	}
	if len(v.uids) != v.told {
		enc.Raw("* ").Number(uint32(len(v.uids))).Raw(" EXISTS").CRLF()
		v.told = len(v.uids)
	}
	if v.showRecent && len(v.recent) != v.toldRecent {
		enc.Raw("* ").Number(uint32(len(v.recent))).Raw(" RECENT").CRLF()
		v.toldRecent = len(v.recent)
	}
	if len(v.changed) == 0 {
		return
	}
	uids := make([]storage.UID, 0, len(v.changed))
	for uid := range v.changed {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	for _, uid := range uids {
		m := v.changed[uid]
		i := v.index(uid)
		if i < 0 || m.ModSeq <= v.modseqs[i] {
			continue
		}
		enc.Raw("* ").Number(uint32(i + 1)).Raw(" FETCH (UID ").Number(uint32(uid)).Raw(" FLAGS ")
		writeFlags(enc, m.Flags, v.isRecent(uid))
		if condstore {
			enc.Raw(" MODSEQ (").Number64(m.ModSeq).Special(')')
		}
		enc.Special(')').CRLF()
		v.modseqs[i] = m.ModSeq
	}
	clear(v.changed)
}

// told records that the client now knows message uid at modseq (its own
// STORE reported it), so the change is not reported again.
func (v *view) toldFlags(uid storage.UID, modseq uint64) {
	if i := v.index(uid); i >= 0 && modseq > v.modseqs[i] {
		v.modseqs[i] = modseq
	}
	if m, ok := v.changed[uid]; ok && m.ModSeq <= modseq {
		delete(v.changed, uid)
	}
}

// forget removes messages the session itself told the client were
// expunged (MOVE's EXPUNGEs), so the store's tombstones are not reported
// again.
func (v *view) forget(uids []storage.UID) {
	for _, uid := range uids {
		i := v.index(uid)
		if i < 0 {
			continue
		}
		v.uids = slices.Delete(v.uids, i, i+1)
		v.modseqs = slices.Delete(v.modseqs, i, i+1)
		v.recs = slices.Delete(v.recs, i, i+1)
		if v.recent[uid] {
			delete(v.recent, uid)
			v.toldRecent--
		}
		delete(v.gone, uid)
		delete(v.changed, uid)
		v.told--
	}
}

// isRecent reports whether FLAGS for uid carry \Recent in this session.
func (v *view) isRecent(uid storage.UID) bool { return v.showRecent && v.recent[uid] }

func writeFlags(enc *wire.Encoder, f storage.Flags, recent bool) {
	names := f.Names()
	if recent {
		names = append(names, `\Recent`)
	}
	enc.List(len(names), func(i int) { enc.Atom(names[i]) })
}

// resolve turns a sequence set (or a UID set, with uid) into positions in
// the view, in ascending order, each at most once. "*" is the last message
// (go-imap writes it as 0); "n:*" includes the last message even when n is
// larger (RFC 9051 §9, seq-range). A sequence number beyond the mailbox is
// an error (RFC 3501 §6.4.8: BAD); UIDs that do not exist are skipped.
func (v *view) resolve(set imap.NumSet, uid bool) ([]int, error) {
	if set == nil || imap.IsSearchRes(set) {
		// "$" (the decoder gives nil): the saved result, by UID; empty
		// before any SAVE (RFC 5182 §2.1).
		set, uid = v.saved, true
	}
	n := len(v.uids)
	var out []int
	seen := map[int]bool{}
	add := func(i int) {
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	if !uid {
		seqs, _ := set.(imap.SeqSet)
		for _, r := range seqs {
			start, stop := r.Start, r.Stop
			if start == 0 {
				start = uint32(n)
			}
			if stop == 0 {
				stop = uint32(n)
			}
			if start > stop {
				start, stop = stop, start
			}
			if n == 0 || stop > uint32(n) || start == 0 {
				return nil, bad("sequence number %s is beyond the %d messages in the mailbox", imap.SeqSet{r}.String(), n)
			}
			for s := start; s <= stop; s++ {
				add(int(s - 1))
			}
		}
		slices.Sort(out)
		return out, nil
	}
	uids, _ := set.(imap.UIDSet)
	var last storage.UID
	if n > 0 {
		last = v.uids[n-1]
	}
	for _, r := range uids {
		start, stop := storage.UID(r.Start), storage.UID(r.Stop)
		if start == 0 {
			start = last
		}
		if stop == 0 {
			stop = last
		}
		if start > stop {
			start, stop = stop, start
		}
		lo, _ := slices.BinarySearch(v.uids, start)
		for i := lo; i < n && v.uids[i] <= stop; i++ {
			add(i)
		}
	}
	slices.Sort(out)
	return out, nil
}
