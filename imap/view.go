package imap

import (
	"context"
	"slices"
	"sort"
	"sync/atomic"

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

	uids []storage.UID // sequence number i+1 is uids[i], expunged-but-untold included
	// recs holds message records, read on first use and then kept current
	// from the change index, so FETCH and SEARCH read flags, dates and
	// sizes from memory after the first time. nil: not read yet (opening
	// a mailbox reads no record, so it costs the same for 100 messages
	// and for 100,000).
	recs   []*storage.Message
	synced uint64 // the mailbox's HIGHESTMODSEQ this view has read up to
	told   int    // the EXISTS count last reported
	// sentAt records flags this session's own commands reported above
	// synced, so reading those changes back does not report them twice.
	sentAt map[storage.UID]uint64

	// recent holds the messages this session is the first to see
	// (\Recent, RFC 3501 §2.3.2); showRecent is false under IMAP4rev2.
	recent     map[storage.UID]bool
	toldRecent int
	showRecent bool
	claims     *recentClaims

	gone map[storage.UID]bool // expunged in the store, EXPUNGE not yet sent
	// goneModSeq is the lowest mod-sequence among the expunges in gone:
	// while they are held back, the client must not be told a
	// HIGHESTMODSEQ at or above it (RFC 7162 §3.2).
	goneModSeq uint64
	changed    map[storage.UID]*storage.Message // flags changed, FETCH not yet sent

	saved imap.UIDSet // the result SEARCH RETURN (SAVE) kept for "$" (RFC 5182); nil: none yet

	reads *atomic.Int64 // counts the message records load reads; nil: not counted
	// loaded counts the records load read since the last trim.
	loaded int
}

// maxKeptRecords bounds the records a view keeps between commands: about
// 3 MiB. A session that fetched a 100,000-message mailbox would otherwise
// hold some 20 MiB for as long as it stays connected; past the bound the
// next command reads again what it needs, in range scans.
const maxKeptRecords = 20000

// trim drops the records read by load once there are more than
// maxKeptRecords, between commands.
func (v *view) trim() {
	if v.loaded <= maxKeptRecords {
		return
	}
	clear(v.recs)
	v.loaded = 0
}

func newView(box *storage.Mailbox, uids []storage.UID, readOnly bool) *view {
	return &view{
		account: box.Account, mailbox: box.ID, name: box.Name, uidValidity: box.UIDValidity, readOnly: readOnly,
		uids: uids, recs: make([]*storage.Message, len(uids)),
		synced: box.HighestModSeq, told: len(uids), sentAt: map[storage.UID]uint64{},
		gone: map[storage.UID]bool{}, changed: map[storage.UID]*storage.Message{}, recent: map[storage.UID]bool{},
	}
}

// index returns the position of uid, or -1.
func (v *view) index(uid storage.UID) int {
	i, found := slices.BinarySearch(v.uids, uid)
	if !found {
		return -1
	}
	return i
}

// loadGap is how far apart two wanted positions may be and still be read
// in one range scan, the records between them coming along.
const loadGap = 32

// load reads the records of the messages at positions pos (ascending)
// that the view does not hold yet, in as few range scans as the positions
// allow, all in one snapshot. A message expunged in the store since the
// view last looked keeps a nil record.
func (v *view) load(ctx context.Context, st *storage.Store, pos []int) error {
	var runs [][2]int
	for i := 0; i < len(pos); i++ {
		p := pos[i]
		if v.recs[p] != nil {
			continue
		}
		if n := len(runs); n > 0 && p-runs[n-1][1] <= loadGap {
			runs[n-1][1] = p
			continue
		}
		runs = append(runs, [2]int{p, p})
	}
	if len(runs) == 0 {
		return nil
	}
	return st.Read(ctx, func(rd *storage.Reader) error {
		for _, r := range runs {
			msgs, err := rd.Messages(v.account, v.mailbox, v.uids[r[0]], v.uids[r[1]])
			if err != nil {
				return err
			}
			if v.reads != nil {
				v.reads.Add(int64(len(msgs)))
			}
			k := r[0]
			for _, m := range msgs {
				for k <= r[1] && v.uids[k] < m.UID {
					k++
				}
				if k <= r[1] && v.uids[k] == m.UID && v.recs[k] == nil {
					v.recs[k] = m
					v.loaded++
				}
			}
		}
		return nil
	})
}

// refresh reads what changed in the store since the view last looked.
func (v *view) refresh(ctx context.Context, st *storage.Store) error {
	ch, err := st.ChangesSince(ctx, v.account, v.mailbox, v.synced)
	if err != nil {
		return err
	}
	v.apply(ch)
	return nil
}

// apply takes in changes read from the store after v.synced.
func (v *view) apply(ch *storage.Changes) {
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
		if v.gone[m.UID] || v.sentAt[m.UID] >= m.ModSeq {
			continue
		}
		v.changed[m.UID] = m
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
		v.recs = append(v.recs, m)
	}
	for _, uid := range ch.Vanished {
		if v.index(uid) >= 0 && !v.gone[uid] {
			v.gone[uid] = true
			delete(v.changed, uid)
			if v.goneModSeq == 0 || ch.EarliestExpunge < v.goneModSeq {
				v.goneModSeq = ch.EarliestExpunge
			}
		}
	}
	v.synced = max(v.synced, ch.HighestModSeq)
	for uid, at := range v.sentAt {
		if at <= v.synced {
			delete(v.sentAt, uid) // later reads start above it
		}
	}
}

// reportMode says how a session reports updates.
type reportMode struct {
	allowExpunge bool // an EXPUNGE may be sent now (RFC 3501 §7.4.1)
	condstore    bool // FETCH carries MODSEQ (RFC 7162 §3.1)
	qresync      bool // expunges are VANISHED, not EXPUNGE (RFC 7162 §3.2.10.2)
}

// report writes what the client has not been told yet: expunges (only
// when allowed), EXISTS, and FETCH FLAGS for changes made by others.
func (v *view) report(enc *wire.Encoder, mode reportMode) {
	v.dropUnannounced()
	if mode.allowExpunge && len(v.gone) > 0 {
		if mode.qresync {
			var uids []storage.UID
			for i := 0; i < len(v.uids); i++ {
				if uid := v.uids[i]; v.gone[uid] {
					uids = append(uids, uid)
				}
			}
			enc.Raw("* VANISHED ").Raw(uidSetString(uids)).CRLF()
			v.forget(uids)
		} else {
			// Highest first, so each sequence number is still right when sent.
			var uids []storage.UID
			for i := len(v.uids) - 1; i >= 0; i-- {
				if uid := v.uids[i]; v.gone[uid] {
					enc.Raw("* ").Number(uint32(i + 1)).Raw(" EXPUNGE").CRLF()
					uids = append(uids, uid)
				}
			}
			v.forget(uids)
		}
		v.goneModSeq = 0
	}
	if len(v.uids) != v.told {
		enc.Raw("* ").Number(uint32(len(v.uids))).Raw(" EXISTS").CRLF()
		v.told = len(v.uids)
	}
	if v.showRecent && len(v.recent) != v.toldRecent {
		enc.Raw("* ").Number(uint32(len(v.recent))).Raw(" RECENT").CRLF()
		v.toldRecent = len(v.recent)
	}
	v.reportChanged(enc, mode)
	if mode.condstore && len(v.gone) > 0 {
		// FETCH data this command or this report sent may carry
		// mod-sequences above expunges held back for now; a client that
		// stores the highest it saw and disconnects would never learn of
		// them (RFC 7162 §3.2, erratum 1810; QR-39).
		v.writeHighestModSeq(enc)
	}
}

// reportChanged writes FETCH FLAGS for changes made by others.
func (v *view) reportChanged(enc *wire.Encoder, mode reportMode) {
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
		if i < 0 || v.sentAt[uid] >= m.ModSeq {
			continue
		}
		enc.Raw("* ").Number(uint32(i + 1)).Raw(" FETCH (UID ").Number(uint32(uid)).Raw(" FLAGS ")
		writeFlags(enc, m.Flags, v.isRecent(uid))
		if mode.condstore {
			enc.Raw(" MODSEQ (").Number64(m.ModSeq).Special(')')
		}
		enc.Special(')').CRLF()
	}
	clear(v.changed)
}

// dropUnannounced removes, without a word, messages that were expunged
// before any EXISTS announced them: EXPUNGE and VANISHED may only name
// messages the client knows (RFC 7162 §3.2.10.2, QR-55), and they are
// past every message it knows, so no number it holds changes.
func (v *view) dropUnannounced() {
	for i := len(v.uids) - 1; i >= v.told; i-- {
		uid := v.uids[i]
		if !v.gone[uid] {
			continue
		}
		v.uids = slices.Delete(v.uids, i, i+1)
		v.recs = slices.Delete(v.recs, i, i+1)
		delete(v.recent, uid)
		delete(v.gone, uid)
		delete(v.changed, uid)
		delete(v.sentAt, uid)
	}
}

// highestModSeq is the HIGHESTMODSEQ the client may be told now: below
// every expunge it has not been told of.
func (v *view) highestModSeq() uint64 {
	if v.goneModSeq > 0 && len(v.gone) > 0 {
		return v.goneModSeq - 1
	}
	return v.synced
}

func (v *view) writeHighestModSeq(enc *wire.Encoder) {
	enc.Raw("* OK [HIGHESTMODSEQ ").Number64(v.highestModSeq()).Raw("] highest").CRLF()
}

// sent records that this session reported m's flags itself (its STORE, or
// the \Seen a FETCH set), so the change is not reported again.
func (v *view) sent(m *storage.Message) {
	i := v.index(m.UID)
	if i < 0 {
		return
	}
	if v.recs[i] == nil || v.recs[i].ModSeq < m.ModSeq {
		v.recs[i] = m
	}
	if m.ModSeq > v.synced && m.ModSeq > v.sentAt[m.UID] {
		v.sentAt[m.UID] = m.ModSeq
	}
	if c, ok := v.changed[m.UID]; ok && c.ModSeq <= m.ModSeq {
		delete(v.changed, m.UID)
	}
}

// forget removes messages the client has been told are expunged, in one
// pass over the view however many there are.
func (v *view) forget(uids []storage.UID) {
	drop := make(map[storage.UID]bool, len(uids))
	for _, uid := range uids {
		if v.index(uid) >= 0 {
			drop[uid] = true
		}
	}
	if len(drop) == 0 {
		return
	}
	k := 0
	for i, uid := range v.uids {
		if drop[uid] {
			continue
		}
		v.uids[k], v.recs[k] = uid, v.recs[i]
		k++
	}
	clear(v.recs[k:])
	v.uids, v.recs = v.uids[:k], v.recs[:k]
	for uid := range drop {
		if v.recent[uid] {
			delete(v.recent, uid)
			v.toldRecent--
		}
		delete(v.gone, uid)
		delete(v.changed, uid)
		delete(v.sentAt, uid)
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
	for _, r := range boundUIDSet(uids, last) {
		start, stop := storage.UID(r.Start), storage.UID(r.Stop)
		lo, _ := slices.BinarySearch(v.uids, start)
		for i := lo; i < n && v.uids[i] <= stop; i++ {
			add(i)
		}
	}
	slices.Sort(out)
	return out, nil
}
