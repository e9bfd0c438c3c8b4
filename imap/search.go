package imap

import (
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/imap/search"
	"zest/storage"
	"zest/storage/mimeinfo"
)

// SEARCH and UID SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4), with the
// RETURN options of ESEARCH (RFC 4731) and SAVE of SEARCHRES (RFC 5182).
// The keys are parsed into go-imap's SearchCriteria and evaluated by the
// search package, which reads a message's blob only when a key needs it.
var searchCommands = map[string]commandSpec{
	"SEARCH":     {states: stateSelected, handle: handleSearch},
	"UID SEARCH": {states: stateSelected, handle: handleSearch},
}

// searchReturn is what RETURN asked for (RFC 4731 §3.1).
type searchReturn struct {
	esearch                    bool // RETURN was given: answer with ESEARCH
	min, max, count, all, save bool
}

// flagRecent is \Recent, which go-imap v2 no longer names; this server
// never sets it (no session sees a message as recent).
const flagRecent = imap.Flag(`\Recent`)

func handleSearch(c *conn, cmd *command) error {
	uidCmd := cmd.name == "UID SEARCH"
	var ret searchReturn
	if !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	var word string
	p := &searchParser{c: c}
	first, err := p.keyword()
	if err != nil {
		return err
	}
	if first == "RETURN" {
		if err := p.returnOpts(&ret); err != nil {
			return err
		}
		if !c.dec.ExpectSP() {
			return c.dec.Err()
		}
		if first, err = p.keyword(); err != nil {
			return err
		}
	}
	charsetOK := true
	if first == "CHARSET" {
		if !c.dec.ExpectSP() || !c.dec.ExpectAString(&word) || !c.dec.ExpectSP() {
			return c.dec.Err()
		}
		switch strings.ToUpper(word) {
		case "UTF-8", "US-ASCII":
		default:
			charsetOK = false
		}
		if first, err = p.keyword(); err != nil {
			return err
		}
	}
	crit := &imap.SearchCriteria{}
	if err := p.keyAfter(crit, first, 0); err != nil {
		return p.failed(err, ret.save)
	}
	for c.dec.SP() {
		if err := p.key(crit, 0); err != nil {
			return p.failed(err, ret.save)
		}
	}
	if c.dec.Err() != nil {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if !charsetOK {
		return p.failed(no("BADCHARSET (UTF-8 US-ASCII)", "unsupported charset %s", word), ret.save)
	}

	if uidCmd && usesSeqNums(crit) {
		// Expunges reported now would renumber the messages the criteria
		// named (RFC 7162 §3.2.10.2; QR-57).
		cmd.holdExpunges = true
	}
	found, modseq, err := c.runSearch(crit)
	if err != nil {
		return p.failed(err, ret.save)
	}
	if ret.save {
		c.sel.saved = savedResult(c.sel, found, ret)
	}
	if c.enabled["IMAP4rev2"] {
		ret.esearch = true // RFC 9051 §6.4.4: always ESEARCH, ALL by default
	}
	nums := make([]uint32, len(found))
	for i, pos := range found {
		if uidCmd {
			nums[i] = uint32(c.sel.uids[pos])
		} else {
			nums[i] = uint32(pos + 1)
		}
	}
	if ret.esearch {
		if ret.save && !ret.min && !ret.max && !ret.count && !ret.all {
			return nil // SAVE alone: no ESEARCH response (RFC 5182 §2.4)
		}
		writeESearch(c, cmd.tag, uidCmd, nums, esearchModSeq(c.sel, found, modseq, ret), ret)
		return nil
	}
	c.enc.Raw("* SEARCH")
	for _, n := range nums {
		c.enc.SP().Number(n)
	}
	if modseq > 0 {
		c.enc.Raw(" (MODSEQ ").Number64(modseq).Special(')')
	}
	c.enc.CRLF()
	return nil
}

// usesSeqNums reports whether criteria name messages by sequence number
// anywhere, NOT and OR included.
func usesSeqNums(crit *imap.SearchCriteria) bool {
	if len(crit.SeqNum) > 0 {
		return true
	}
	for i := range crit.Not {
		if usesSeqNums(&crit.Not[i]) {
			return true
		}
	}
	for i := range crit.Or {
		if usesSeqNums(&crit.Or[i][0]) || usesSeqNums(&crit.Or[i][1]) {
			return true
		}
	}
	return false
}

// savedResult is what SAVE keeps (RFC 5182 §2.1): with MIN or MAX alone,
// only those messages; otherwise every message found.
func savedResult(v *view, found []int, ret searchReturn) imap.UIDSet {
	set := imap.UIDSet{}
	if len(found) == 0 {
		return set
	}
	if (ret.min || ret.max) && !ret.all && !ret.count {
		if ret.min {
			set.AddNum(imap.UID(v.uids[found[0]]))
		}
		if ret.max {
			set.AddNum(imap.UID(v.uids[found[len(found)-1]]))
		}
		return set
	}
	for _, pos := range found {
		set.AddNum(imap.UID(v.uids[pos]))
	}
	return set
}

// esearchModSeq is the MODSEQ an ESEARCH response carries (RFC 4731
// §3.2, QR-29): with MIN or MAX alone, the mod-sequence of that message;
// with both and no ALL or COUNT, the higher of the two; otherwise highest,
// the highest of all messages found. 0 when there is none to send.
func esearchModSeq(v *view, found []int, highest uint64, ret searchReturn) uint64 {
	if highest == 0 || len(found) == 0 || ret.all || ret.count || !ret.min && !ret.max {
		return highest
	}
	var m uint64
	if ret.min {
		m = v.recs[found[0]].ModSeq
	}
	if ret.max {
		m = max(m, v.recs[found[len(found)-1]].ModSeq)
	}
	return m
}

// writeESearch answers with ESEARCH (RFC 4731 §3.1): an empty result has
// no MIN, MAX or ALL.
func writeESearch(c *conn, tag string, uid bool, nums []uint32, modseq uint64, ret searchReturn) {
	if !ret.min && !ret.max && !ret.count && !ret.all {
		ret.all = true // RETURN () is RETURN (ALL)
	}
	c.enc.Raw("* ESEARCH (TAG ").String(tag).Special(')')
	if uid {
		c.enc.Raw(" UID")
	}
	if len(nums) > 0 {
		if ret.min {
			c.enc.Raw(" MIN ").Number(nums[0])
		}
		if ret.max {
			c.enc.Raw(" MAX ").Number(nums[len(nums)-1])
		}
	}
	if ret.count {
		c.enc.Raw(" COUNT ").Number(uint32(len(nums)))
	}
	if ret.all && len(nums) > 0 {
		c.enc.Raw(" ALL ").Raw(compactSet(nums))
	}
	if modseq > 0 {
		c.enc.Raw(" MODSEQ ").Number64(modseq)
	}
	c.enc.CRLF()
}

// compactSet writes ascending numbers as a sequence set with ranges.
func compactSet(nums []uint32) string {
	var b strings.Builder
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(imap.SeqSet{{Start: nums[i], Stop: nums[j]}}.String())
		i = j + 1
	}
	return b.String()
}

// runSearch evaluates criteria over the view and returns the positions of
// the messages found, ascending, and (for a MODSEQ key, RFC 7162 §3.1.5)
// the highest mod-sequence among them.
func (c *conn) runSearch(crit *imap.SearchCriteria) ([]int, uint64, error) {
	v := c.sel
	opts := search.Options{Location: time.Local, MaxSeqNum: uint32(len(v.uids)), SearchRes: v.saved}
	if n := len(v.uids); n > 0 {
		opts.MaxUID = imap.UID(v.uids[n-1])
	}
	m, err := search.Compile(crit, opts)
	if errors.Is(err, search.ErrTooDeep) || errors.Is(err, search.ErrTooManyKeys) {
		return nil, 0, no("LIMIT", "%s", strings.TrimPrefix(err.Error(), "search: "))
	}
	if err != nil {
		return nil, 0, err
	}
	needs := m.Needs()
	if m.UsesModSeq() {
		c.enableCondstore() // RFC 7162 §3.1: SEARCH MODSEQ enables CONDSTORE
	}

	// The records come from the view, which keeps them current.
	if err := c.freshen(false); err != nil {
		return nil, 0, err
	}
	positions := c.searchCandidates(crit)
	if err := v.load(c.ctx, c.srv.store, positions); err != nil {
		return nil, 0, err
	}

	var found []int
	var modseq uint64
	// One snapshot for every description, header and body the keys read.
	err = c.srv.store.Read(c.ctx, func(rd *storage.Reader) error {
		for _, pos := range positions {
			uid := v.uids[pos]
			msg := v.recs[pos]
			if msg == nil || v.gone[uid] {
				continue // expunged elsewhere: nothing left to match
			}
			cand := &search.Candidate{SeqNum: uint32(pos + 1), Message: msg, Recent: v.recent[uid]}
			if needs.Info || needs.Header || needs.Body {
				loaders(rd, cand, needs)
			}
			ok, err := m.Match(cand)
			if errors.Is(err, storage.ErrNotFound) {
				continue // expunged while we searched
			}
			if err != nil {
				return err
			}
			if ok {
				found = append(found, pos)
				modseq = max(modseq, msg.ModSeq)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if !m.UsesModSeq() {
		modseq = 0
	}
	return found, modseq, nil
}

// loaders gives a candidate lazy access to its description, header and
// body. Each is read only when a key needs it (the header from the small
// record kept at delivery, not from the body), and the body of one message
// is dropped before the next is read.
func loaders(rd *storage.Reader, cand *search.Candidate, needs search.Needs) {
	blob := cand.Message.Blob
	var info *mimeinfo.Info
	cand.Info = func() (*mimeinfo.Info, error) {
		if info != nil {
			return info, nil
		}
		var err error
		info, err = rd.MessageInfo(blob)
		return info, err
	}
	if needs.Header {
		cand.Header = func() ([]byte, error) { return rd.MessageHeader(blob) }
	}
	if needs.Body {
		cand.Body = func() ([]byte, error) { return rd.ReadBlob(blob, 0, -1) }
	}
}

// searchCandidates returns the view positions a search must look at: those
// the smallest top-level UID set allows (UID keys are ANDed), or every
// message. It reads only the view.
func (c *conn) searchCandidates(crit *imap.SearchCriteria) []int {
	v := c.sel
	var best []int
	found := false
	for _, set := range crit.UID {
		pos, err := v.resolve(set, true) // "$" resolves to the saved result
		if err == nil && (!found || len(pos) < len(best)) {
			best, found = pos, true
		}
	}
	if found {
		return best
	}
	all := make([]int, len(v.uids))
	for i := range all {
		all[i] = i
	}
	return all
}

// searchParser reads search keys (RFC 3501 §9, search-key) into criteria.
type searchParser struct {
	c *conn
}

// errSearchLimit is a criteria nested deeper than the parser follows.
var errSearchLimit = errors.New("search criteria nested too deeply")

// failed finishes a SEARCH that will not run: a too-deep criteria has the
// rest of its line skipped and gets NO [LIMIT]; a NO empties the saved
// result when the command asked to SAVE (RFC 5182 §2.1), a BAD leaves it.
func (p *searchParser) failed(err error, save bool) error {
	if errors.Is(err, errSearchLimit) {
		if !p.c.dec.DiscardLine() {
			return p.c.dec.Err()
		}
		err = no("LIMIT", "search criteria nested too deeply")
	}
	var re *respError
	if save && errors.As(err, &re) && re.status == "NO" {
		p.c.sel.saved = imap.UIDSet{}
	}
	return err
}

// keyword reads an atom, upper-cased, or reports the decoder's error. A
// set or a "(" is left for keyAfter: it returns "".
func (p *searchParser) keyword() (string, error) {
	d := p.c.dec
	if d.Peek('(') || d.Peek('*') || d.Peek('$') {
		return "", nil
	}
	for b := byte('0'); b <= '9'; b++ {
		if d.Peek(b) {
			return "", nil
		}
	}
	var s string
	if d.Atom(&s) {
		return strings.ToUpper(s), nil
	}
	if err := p.c.dec.Err(); err != nil {
		return "", err
	}
	return "", nil
}

// returnOpts reads "(" [option *(SP option)] ")" after RETURN SP.
func (p *searchParser) returnOpts(ret *searchReturn) error {
	d := p.c.dec
	ret.esearch = true
	if !d.ExpectSP() {
		return d.Err()
	}
	ok := d.ExpectList(func() bool {
		var s string
		if !d.ExpectAtom(&s) {
			return false
		}
		switch strings.ToUpper(s) {
		case "MIN":
			ret.min = true
		case "MAX":
			ret.max = true
		case "COUNT":
			ret.count = true
		case "ALL":
			ret.all = true
		case "SAVE":
			ret.save = true
		default:
			return d.Failf("unknown SEARCH return option %s", s)
		}
		return true
	})
	if !ok {
		return d.Err()
	}
	return nil
}

// key reads one search key into crit.
func (p *searchParser) key(crit *imap.SearchCriteria, depth int) error {
	name, err := p.keyword()
	if err != nil {
		return err
	}
	return p.keyAfter(crit, name, depth)
}

// keyAfter reads the rest of a key whose name (upper case, or "" for a
// set or a list) was read already.
func (p *searchParser) keyAfter(crit *imap.SearchCriteria, name string, depth int) error {
	d := p.c.dec
	if depth > search.MaxDepth {
		return errSearchLimit
	}
	fail := func() error {
		if d.Err() == nil {
			d.Failf("bad arguments to search key %s", name)
		}
		return d.Err()
	}
	str := func() (string, bool) {
		var s string
		return s, d.ExpectSP() && d.ExpectAString(&s)
	}
	date := func() (time.Time, bool) {
		var t time.Time
		return t, d.ExpectSP() && d.ExpectDate(&t)
	}
	flag := func() (imap.Flag, bool) {
		var s string
		return imap.Flag(s), d.ExpectSP() && d.ExpectAtom(&s)
	}
	header := func(field string) error {
		s, ok := str()
		if !ok {
			return fail()
		}
		crit.Header = append(crit.Header, imap.SearchCriteriaHeaderField{Key: field, Value: s})
		return nil
	}
	sysFlag := func(f imap.Flag, set bool) error {
		if set {
			crit.Flag = append(crit.Flag, f)
		} else {
			crit.NotFlag = append(crit.NotFlag, f)
		}
		return nil
	}

	switch name {
	case "":
		if d.Special('(') {
			if err := p.key(crit, depth+1); err != nil {
				return err
			}
			for !d.Special(')') {
				if !d.ExpectSP() {
					return d.Err()
				}
				if err := p.key(crit, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		set, saved, ok := d.NumSet(false)
		if !ok {
			if d.Err() == nil {
				d.Failf("expected a search key")
			}
			return d.Err()
		}
		if saved {
			crit.UID = append(crit.UID, imap.SearchRes())
		} else {
			crit.SeqNum = append(crit.SeqNum, set.(imap.SeqSet))
		}
		return nil
	case "ALL":
		return nil
	case "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "SEEN":
		return sysFlag(imap.Flag(`\`+name[:1]+strings.ToLower(name[1:])), true)
	case "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN":
		return sysFlag(imap.Flag(`\`+name[2:3]+strings.ToLower(name[3:])), false)
	case "RECENT":
		return sysFlag(flagRecent, true)
	case "OLD":
		return sysFlag(flagRecent, false)
	case "NEW":
		crit.Flag = append(crit.Flag, flagRecent)
		crit.NotFlag = append(crit.NotFlag, imap.FlagSeen)
		return nil
	case "KEYWORD", "UNKEYWORD":
		f, ok := flag()
		if !ok {
			return fail()
		}
		return sysFlag(f, name == "KEYWORD")
	case "BCC", "CC", "FROM", "SUBJECT", "TO":
		return header(name[:1] + strings.ToLower(name[1:]))
	case "HEADER":
		field, ok := str()
		if !ok {
			return fail()
		}
		return header(field)
	case "BODY", "TEXT":
		s, ok := str()
		if !ok {
			return fail()
		}
		if name == "BODY" {
			crit.Body = append(crit.Body, s)
		} else {
			crit.Text = append(crit.Text, s)
		}
		return nil
	case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE":
		t, ok := date()
		if !ok {
			return fail()
		}
		one := imap.SearchCriteria{}
		switch name {
		case "BEFORE":
			one.Before = t
		case "SINCE":
			one.Since = t
		case "ON":
			one.Since, one.Before = t, t.AddDate(0, 0, 1)
		case "SENTBEFORE":
			one.SentBefore = t
		case "SENTSINCE":
			one.SentSince = t
		case "SENTON":
			one.SentSince, one.SentBefore = t, t.AddDate(0, 0, 1)
		}
		crit.And(&one) // keeps the latest SINCE and the earliest BEFORE
		return nil
	case "LARGER", "SMALLER":
		var n uint64
		if !d.ExpectSP() || !d.ExpectNumber64(&n) {
			return fail()
		}
		size := int64(min(n, 1<<62))
		switch {
		case name == "SMALLER" && n == 0:
			// Nothing is smaller than 0; go-imap reads Smaller 0 as
			// "no key", so say it as NOT ALL.
			crit.Not = append(crit.Not, imap.SearchCriteria{})
		case name == "LARGER" && n == 0:
			// Every message has a size; LARGER 0 holds for all.
		case name == "LARGER":
			crit.Larger = max(crit.Larger, size)
		case crit.Smaller == 0:
			crit.Smaller = size
		default:
			crit.Smaller = min(crit.Smaller, size)
		}
		return nil
	case "UID":
		set, saved, ok := func() (imap.NumSet, bool, bool) {
			if !d.ExpectSP() {
				return nil, false, false
			}
			return d.ExpectNumSet(true)
		}()
		if !ok {
			return fail()
		}
		if saved {
			crit.UID = append(crit.UID, imap.SearchRes())
		} else {
			crit.UID = append(crit.UID, set.(imap.UIDSet))
		}
		return nil
	case "NOT":
		var sub imap.SearchCriteria
		if !d.ExpectSP() {
			return d.Err()
		}
		if err := p.key(&sub, depth+1); err != nil {
			return err
		}
		crit.Not = append(crit.Not, sub)
		return nil
	case "OR":
		var pair [2]imap.SearchCriteria
		for i := range pair {
			if !d.ExpectSP() {
				return d.Err()
			}
			if err := p.key(&pair[i], depth+1); err != nil {
				return err
			}
		}
		crit.Or = append(crit.Or, pair)
		return nil
	case "MODSEQ":
		// RFC 7162 §3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence.
		var entry, typ string
		var n uint64
		if !d.ExpectSP() {
			return d.Err()
		}
		if d.Quoted(&entry) {
			if !d.ExpectSP() || !d.ExpectAtom(&typ) || !d.ExpectSP() {
				return fail()
			}
			switch strings.ToLower(typ) {
			case "priv", "shared", "all":
			default:
				d.Failf("bad MODSEQ entry type %s", typ)
				return d.Err()
			}
		}
		if !d.ExpectNumber64(&n) {
			return fail()
		}
		if crit.ModSeq == nil || n > crit.ModSeq.ModSeq {
			crit.ModSeq = &imap.SearchCriteriaModSeq{ModSeq: n}
		}
		return nil
	}
	d.Failf("unknown search key %s", name)
	return d.Err()
}
