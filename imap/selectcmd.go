package imap

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

var selectCommands = map[string]commandSpec{
	"SELECT":   {states: authed, handle: handleSelect},
	"EXAMINE":  {states: authed, handle: handleSelect},
	"CLOSE":    {states: stateSelected, handle: handleClose},
	"UNSELECT": {states: stateSelected, handle: handleUnselect},
	// CHECK asks for a checkpoint (RFC 3501 §6.4.1; gone in RFC 9051):
	// every change is durable already, so it only reports updates.
	"CHECK": {states: stateSelected, handle: handleNoop},
}

// permanentFlags are the flags a client may set; \* allows new keywords.
const permanentFlags = `(\Answered \Flagged \Deleted \Seen \Draft \*)`

// selectParams are the parameters of SELECT/EXAMINE (RFC 4466 §2.1).
type selectParams struct {
	condstore bool // (CONDSTORE), RFC 7162 §3.1.8
	qresync   *qresyncParam
}

// qresyncParam is RFC 7162 §3.2.5's QRESYNC select parameter, or the seed
// draft's three-argument form of it (draft-ietf-lemonade-reconnect-client).
type qresyncParam struct {
	uidValidity uint32
	modSeq      uint64
	known       imap.UIDSet // nil: 1:UIDNEXT-1
	// seqMatch pairs sequence numbers with the UIDs the client has for them.
	matchSeqs []uint32
	matchUIDs []storage.UID
	draft     bool // the session has not enabled QRESYNC: the draft's behaviour
}

// maxModSeq is the highest mod-sequence RFC 7162 §7 allows (63 bits).
const maxModSeq = 1<<63 - 1

// readSelectParams reads " (param ...)" after the mailbox name, if any.
func (c *conn) readSelectParams() (*selectParams, error) {
	p := &selectParams{}
	if !c.dec.SP() {
		return p, nil
	}
	seen := map[string]bool{}
	var perr error
	ok := c.dec.ExpectList(func() bool {
		var name string
		if !c.dec.ExpectAtom(&name) {
			return false
		}
		name = strings.ToUpper(name)
		if seen[name] {
			return c.dec.Failf("select parameter %s given twice", name)
		}
		seen[name] = true
		switch name {
		case "CONDSTORE":
			p.condstore = true
			return true
		case "QRESYNC":
			if !c.dec.ExpectSP() {
				return false
			}
			q, err := c.readQresyncParam()
			if err != nil {
				perr = err
				return false
			}
			p.qresync = q
			return true
		}
		return c.dec.Failf("unknown select parameter %s", name)
	})
	if perr != nil {
		return nil, perr
	}
	if !ok {
		return nil, c.dec.Err()
	}
	return p, nil
}

// readQresyncParam reads "(uidvalidity modseq [known-uids] [(seqs uids)])".
func (c *conn) readQresyncParam() (*qresyncParam, error) {
	d := c.dec
	q := &qresyncParam{}
	var uidValidity uint32
	if !d.ExpectSpecial('(') || !d.ExpectNZNumber(&uidValidity) || !d.ExpectSP() || !d.ExpectNumber64(&q.modSeq) {
		return nil, d.Err()
	}
	q.uidValidity = uidValidity
	if q.modSeq == 0 || q.modSeq > maxModSeq {
		return nil, bad("QRESYNC mod-sequence must be between 1 and 2^63-1")
	}
	args := 2
	for d.SP() {
		if d.Peek('(') {
			// seq-match-data: "(" known-sequence-set SP known-uid-set ")"
			if !d.ExpectSpecial('(') {
				return nil, d.Err()
			}
			seqs, err := c.readStarlessSet("known sequence set")
			if err != nil {
				return nil, err
			}
			if !d.ExpectSP() {
				return nil, d.Err()
			}
			uids, err := c.readStarlessSet("known UID set")
			if err != nil {
				return nil, err
			}
			if !d.ExpectSpecial(')') {
				return nil, d.Err()
			}
			seqList, uidList := expandSet(seqs), expandSet(uids)
			if seqList == nil || uidList == nil {
				return nil, bad("QRESYNC sequence match data is too large")
			}
			if len(seqList) != len(uidList) {
				return nil, bad("QRESYNC sequence match data pairs %d sequence numbers with %d UIDs", len(seqList), len(uidList))
			}
			q.matchSeqs = seqList
			for _, u := range uidList {
				q.matchUIDs = append(q.matchUIDs, storage.UID(u))
			}
			args = 4
			break
		}
		if args > 2 {
			return nil, bad("unexpected QRESYNC argument")
		}
		known, err := c.readStarlessSet("known UIDs")
		if err != nil {
			return nil, err
		}
		q.known = imap.UIDSet{}
		for _, r := range known {
			q.known = append(q.known, imap.UIDRange{Start: imap.UID(r[0]), Stop: imap.UID(r[1])})
		}
		args = 3
	}
	if !d.ExpectSpecial(')') {
		return nil, d.Err()
	}
	if !c.enabled["QRESYNC"] {
		if args == 4 {
			// Sequence match data is RFC 7162's, and RFC 7162 needs ENABLE
			// first (QR-61); the draft had only three arguments.
			return nil, bad("QRESYNC needs ENABLE QRESYNC first")
		}
		q.draft = true // the seed draft's form (QR-60)
	}
	return q, nil
}

// readStarlessSet reads a sequence set without "*" (RFC 7162 §7:
// known-uids and seq-match data name real numbers) as ordered ranges.
func (c *conn) readStarlessSet(what string) ([][2]uint32, error) {
	set, saved, ok := c.dec.ExpectNumSet(true)
	if !ok {
		return nil, c.dec.Err()
	}
	if saved {
		return nil, bad("%s cannot be $", what)
	}
	var out [][2]uint32
	for _, r := range set.(imap.UIDSet) {
		if r.Start == 0 || r.Stop == 0 {
			return nil, bad("%s cannot contain *", what)
		}
		lo, hi := uint32(r.Start), uint32(r.Stop)
		if lo > hi {
			lo, hi = hi, lo
		}
		out = append(out, [2]uint32{lo, hi})
	}
	return out, nil
}

// expandSet lists the numbers of ranges in the order given; nil when there
// are more than a command line could reasonably pair up.
func expandSet(ranges [][2]uint32) []uint32 {
	var out []uint32
	for _, r := range ranges {
		if len(out)+int(r[1]-r[0]) > 1<<16 {
			return nil
		}
		for n := r[0]; ; n++ {
			out = append(out, n)
			if n == r[1] {
				break
			}
		}
	}
	return out
}

func handleSelect(c *conn, cmd *command) error {
	var name string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&name) {
		return c.dec.Err()
	}
	params, err := c.readSelectParams()
	if err != nil {
		return err
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	// Selecting ends the previous selection even when it fails (RFC 3501
	// §6.3.1); CLOSED marks where its responses end (RFC 7162 §3.2.11).
	if c.sel != nil {
		c.enc.Raw("* OK [CLOSED] previous mailbox closed").CRLF()
	}
	c.sel = nil
	c.state = stateAuth
	mb, err := c.srv.store.MailboxByName(c.ctx, c.account.ID, name)
	if err != nil {
		return err
	}
	if params.condstore || params.qresync != nil {
		c.enableCondstore() // RFC 7162 §3.1.8, §3.2.5
	}
	var since uint64
	if q := params.qresync; q != nil && q.uidValidity == mb.UIDValidity {
		since = q.modSeq
	}
	op, err := c.srv.store.OpenMailbox(c.ctx, c.account.ID, mb.ID, since)
	if err != nil {
		return err
	}
	box := op.Mailbox
	readOnly := cmd.name == "EXAMINE"
	v := newView(box, op.UIDs, readOnly)
	v.claims, v.showRecent = c.srv.recent, !c.enabled["IMAP4rev2"]
	v.reads = &c.srv.reads.records
	if box.UIDNext > 1 {
		// SELECT takes \Recent for what no session has seen; EXAMINE only
		// looks (RFC 3501 §6.3.2).
		// The save dates matter only until some session claims from the
		// mailbox; reading them after that would read every message
		// saved since the server started (QR-52).
		firstNew := box.UIDNext
		if !c.srv.recent.marked(box.ID) {
			if firstNew, err = c.firstSavedSinceStart(v, box.UIDNext); err != nil {
				return err
			}
		}
		upto := box.UIDNext - 1
		from := c.srv.recent.peek(box.ID, firstNew)
		if !readOnly && v.showRecent { // IMAP4rev2 sessions never see \Recent, so take none
			from = c.srv.recent.claim(box.ID, upto, firstNew)
		}
		for i := len(v.uids) - 1; i >= 0 && v.uids[i] >= from; i-- {
			v.recent[v.uids[i]] = true
		}
	}
	v.toldRecent = len(v.recent)

	// FLAGS lists the system flags and every keyword used here.
	flags := []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`}
	kw := slices.Clone(box.Keywords)
	slices.Sort(kw)
	flags = append(flags, kw...)
	c.enc.Raw("* FLAGS (").Raw(strings.Join(flags, " ")).Raw(")").CRLF()
	if readOnly {
		c.enc.Raw("* OK [PERMANENTFLAGS ()] read-only mailbox").CRLF()
	} else {
		c.enc.Raw("* OK [PERMANENTFLAGS ").Raw(permanentFlags).Raw("] flags permitted").CRLF()
	}
	c.enc.Raw("* ").Number(uint32(len(v.uids))).Raw(" EXISTS").CRLF()
	if !c.enabled["IMAP4rev2"] {
		// RFC 9051 dropped \Recent and the UNSEEN code; IMAP4rev1 needs them.
		c.enc.Raw("* ").Number(uint32(len(v.recent))).Raw(" RECENT").CRLF()
		if i := v.index(op.FirstUnseen); op.FirstUnseen != 0 && i >= 0 {
			c.enc.Raw("* OK [UNSEEN ").Number(uint32(i + 1)).Raw("] first unseen").CRLF()
		}
	}
	if c.enabled["IMAP4rev2"] {
		// RFC 9051 §6.3.2: SELECT returns the mailbox's LIST response.
		c.enc.Raw("* LIST () \"/\" ").Mailbox(box.Name).CRLF()
	}
	c.enc.Raw("* OK [UIDVALIDITY ").Number(box.UIDValidity).Raw("] UIDs valid").CRLF()
	c.enc.Raw("* OK [UIDNEXT ").Number(uint32(box.UIDNext)).Raw("] next UID").CRLF()
	// Sent on every SELECT, even before CONDSTORE is enabled (QR-11).
	c.enc.Raw("* OK [HIGHESTMODSEQ ").Number64(box.HighestModSeq).Raw("] highest").CRLF()
	// The store never lowers UIDNEXT or reuses a UID (MONOINCUID draft §2.1).
	c.enc.Raw("* OK [MONOINCUID] UIDs grow").CRLF()
	c.sel = v
	c.state = stateSelected
	if op.Changes != nil {
		c.resync(v, box, params.qresync, op.Changes)
	}
	code := "READ-WRITE"
	if readOnly {
		code = "READ-ONLY"
	}
	return &respError{status: "OK", code: code, text: cmd.name + " completed"}
}

// firstSavedSinceStart returns the UID of the first message saved since
// the server started (\Recent applies to no older one). Messages are
// saved in UID order, so a binary search reads about log2(messages)
// records instead of every message delivered since the server started.
func (c *conn) firstSavedSinceStart(v *view, uidNext storage.UID) (storage.UID, error) {
	var loadErr error
	i := sort.Search(len(v.uids), func(i int) bool {
		if loadErr != nil {
			return true
		}
		if err := v.load(c.ctx, c.srv.store, []int{i}); err != nil {
			loadErr = err
			return true
		}
		m := v.recs[i]
		// A message expunged meanwhile counts as new: it cannot be \Recent
		// anyway, and the search stays monotonic enough.
		return m == nil || !m.SaveDate.Before(c.srv.started)
	})
	if loadErr != nil {
		return 0, loadErr
	}
	if i == len(v.uids) {
		return uidNext, nil
	}
	return v.uids[i], nil
}

// resync sends what changed in the mailbox after the client's
// mod-sequence (RFC 7162 §3.2.5.1), limited to the UIDs it says it knows:
// VANISHED (EARLIER) first, then a FETCH per changed message. In the seed
// draft's form the expunges come after the FETCHes as "* EXPUNGED".
func (c *conn) resync(v *view, box *storage.Mailbox, q *qresyncParam, ch *storage.Changes) {
	known := q.known
	if known == nil {
		// No list: every UID the mailbox ever had (QR-47).
		known = imap.UIDSet{}
		if box.UIDNext > 1 {
			known = imap.UIDSet{{Start: 1, Stop: imap.UID(box.UIDNext - 1)}}
		}
	}
	vanished := vanishedIn(v, known, q.modSeq, ch)
	vanished = narrowBySeqMatch(v, q, vanished)
	if len(vanished) > 0 && !q.draft {
		c.enc.Raw("* VANISHED (EARLIER) ").Raw(rangesString(vanished)).CRLF()
	}
	changed := slices.Clone(ch.Changed)
	slices.SortFunc(changed, func(a, b *storage.Message) int { return cmp.Compare(a.UID, b.UID) })
	for _, m := range changed {
		i := v.index(m.UID)
		if i < 0 || !known.Contains(imap.UID(m.UID)) {
			continue
		}
		v.recs[i] = m
		c.enc.Raw("* ").Number(uint32(i + 1)).Raw(" FETCH (UID ").Number(uint32(m.UID)).Raw(" FLAGS ")
		writeFlags(c.enc, m.Flags, v.isRecent(m.UID))
		c.enc.Raw(" MODSEQ (").Number64(m.ModSeq).Raw("))").CRLF()
	}
	if len(vanished) > 0 && q.draft {
		c.enc.Raw("* EXPUNGED ").Raw(rangesString(vanished)).CRLF()
	}
}

// vanishedIn lists, as ranges, the UIDs of set (bounded: no "*") expunged
// after mod-sequence since, from the tombstones in ch. When tombstones
// after since were dropped (storage's ExpungedBefore), which UIDs vanished
// since cannot be told apart, and every UID of set the mailbox no longer
// holds is listed (RFC 7162 §3.2.6 note, QR-49).
func vanishedIn(v *view, set imap.UIDSet, since uint64, ch *storage.Changes) []uidRange {
	if since < ch.ExpungedBefore {
		return absentUIDs(v, set, ch.UIDNext)
	}
	var out []uidRange
	for _, u := range ch.Vanished {
		if set.Contains(imap.UID(u)) {
			out = addUID(out, u)
		}
	}
	return out
}

// uidRange is an inclusive range of UIDs.
type uidRange struct{ lo, hi storage.UID }

// addUID appends u (ascending) to ranges, extending the last when adjacent.
func addUID(ranges []uidRange, u storage.UID) []uidRange {
	if n := len(ranges); n > 0 && ranges[n-1].hi+1 == u {
		ranges[n-1].hi = u
		return ranges
	}
	return append(ranges, uidRange{u, u})
}

func rangesString(ranges []uidRange) string {
	var b []byte
	for i, r := range ranges {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(r.lo), 10)
		if r.hi != r.lo {
			b = append(b, ':')
			b = strconv.AppendUint(b, uint64(r.hi), 10)
		}
	}
	return string(b)
}

// absentUIDs lists, as ranges, the UIDs of known below uidNext that the
// mailbox does not hold. It walks the known ranges and the view's UIDs
// together, so it costs what they hold, not the width of the ranges.
func absentUIDs(v *view, known imap.UIDSet, uidNext storage.UID) []uidRange {
	// In ascending order, so that appendRange can merge what it finds;
	// clients may send the ranges in any order (RFC 3501 sequence-set).
	known = slices.Clone(known)
	slices.SortFunc(known, func(a, b imap.UIDRange) int { return cmp.Compare(a.Start, b.Start) })
	var out []uidRange
	for _, r := range known {
		lo, hi := storage.UID(r.Start), min(storage.UID(r.Stop), uidNext-1)
		if lo > hi {
			continue
		}
		i, _ := slices.BinarySearch(v.uids, lo)
		next := lo
		for ; i < len(v.uids) && v.uids[i] <= hi; i++ {
			if v.uids[i] > next {
				out = appendRange(out, uidRange{next, v.uids[i] - 1})
			}
			next = v.uids[i] + 1
		}
		if next <= hi {
			out = appendRange(out, uidRange{next, hi})
		}
	}
	return out
}

func appendRange(ranges []uidRange, r uidRange) []uidRange {
	if n := len(ranges); n > 0 && ranges[n-1].hi+1 >= r.lo {
		ranges[n-1].hi = max(ranges[n-1].hi, r.hi)
		return ranges
	}
	return append(ranges, r)
}

// narrowBySeqMatch drops vanished UIDs at or below the highest UID of the
// client's sequence match data that still has its sequence number: below
// it the client's view of the mailbox is right (RFC 7162 §3.2.5.2, QR-50).
func narrowBySeqMatch(v *view, q *qresyncParam, vanished []uidRange) []uidRange {
	var floor storage.UID
	for k := len(q.matchSeqs) - 1; k >= 0; k-- {
		seq, uid := q.matchSeqs[k], q.matchUIDs[k]
		if seq >= 1 && int(seq) <= len(v.uids) && v.uids[seq-1] == uid {
			floor = uid
			break
		}
	}
	if floor == 0 {
		return vanished
	}
	var out []uidRange
	for _, r := range vanished {
		if r.hi <= floor {
			continue
		}
		out = append(out, uidRange{max(r.lo, floor+1), r.hi})
	}
	return out
}

func handleClose(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if c.sel.readOnly {
		c.sel, c.state = nil, stateAuth
		return nil
	}
	// CLOSE expunges \Deleted messages silently (RFC 3501 §6.4.2): no
	// EXPUNGE responses, since the selection ends with it.
	del, err := c.deletedMessages(nil, false)
	mailbox := c.sel.mailbox
	c.sel, c.state = nil, stateAuth
	if err != nil || len(del) == 0 {
		return err
	}
	_, err = c.srv.store.Expunge(c.ctx, c.account.ID, mailbox, del)
	return err
}

func handleUnselect(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	c.sel, c.state = nil, stateAuth
	return nil
}
