package imap

import (
	"bytes"

	"errors"
	"github.com/emersion/go-imap/v2"
	"strconv"
	"strings"
	"sync/atomic"

	"zest/storage"
	"zest/storage/mimeinfo"
)

// FETCH and UID FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5, BINARY of
// RFC 3516). The item list is parsed once into fetchItems; each message
// then costs only what its items need: nothing for UID alone, the message
// record for FLAGS, INTERNALDATE and RFC822.SIZE, the stored description
// (storage/mimeinfo) for ENVELOPE, BODY, BODYSTRUCTURE and section offsets,
// and blob reads of exactly the bytes a section or partial asks for.

var fetchCommands = map[string]commandSpec{
	"FETCH":     {states: stateSelected, handle: handleFetch},
	"UID FETCH": {states: stateSelected, handle: handleFetch},
}

type fetchKind uint8

const (
	fetchUID fetchKind = iota
	fetchFlags
	fetchInternalDate
	fetchSize
	fetchEnvelope
	fetchBody          // BODY: the structure without extension data
	fetchBodyStructure // BODYSTRUCTURE
	fetchSection       // BODY[...], BODY.PEEK[...], RFC822, RFC822.HEADER, RFC822.TEXT
	fetchBinary        // BINARY[...], BINARY.PEEK[...]
	fetchBinarySize    // BINARY.SIZE[...]
	fetchModSeq        // MODSEQ (RFC 7162 §3.1.4.2)
)

// section is a section-spec (RFC 3501 §6.4.5): part numbers, then HEADER,
// HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME or nothing.
type section struct {
	part   []int
	text   string
	fields []string // HEADER.FIELDS(.NOT), as the client wrote them
}

// wholeMessage reports whether s is BODY[] (no part, no text): it is read
// from the blob without the message's description.
func (s *section) wholeMessage() bool { return len(s.part) == 0 && s.text == "" }

// fetchItem is one parsed fetch-att.
type fetchItem struct {
	kind    fetchKind
	name    string // response name of the RFC822 forms; "" for BODY[...]
	sec     section
	peek    bool // does not set \Seen
	partial bool
	origin  int64
	count   int64
}

// fetchRequest is the parsed item list and what it needs per message.
type fetchRequest struct {
	uid        bool // UID FETCH: messages are named by UID
	items      []fetchItem
	needRecord bool // anything beyond UID
	setSeen    bool // a non-PEEK body item

	// changedSince is the CHANGEDSINCE modifier (RFC 7162 §3.1.4.1):
	// only messages with a greater mod-sequence are answered.
	changedSince    uint64
	hasChangedSince bool
	// vanished is UID FETCH's VANISHED modifier (RFC 7162 §3.2.6).
	vanished bool
	set      imap.NumSet // the set as the client gave it, for VANISHED
}

// fetchCounters counts the store reads FETCH makes, per server, for
// benchmarks and tests that assert what a FETCH does not read. records
// counts every message record a selected-mailbox view reads, whichever
// command made it read them (SELECT and SEARCH too).
type fetchCounters struct {
	records, infos, blobs atomic.Int64
}

func handleFetch(c *conn, cmd *command) error {
	uid := cmd.name == "UID FETCH"
	if !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	set, _, ok := c.dec.ExpectNumSet(uid) // "$" is a nil set, which resolve reads as the saved result
	if !ok || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	req, ok := c.readFetchItems()
	if !ok {
		return c.dec.Err()
	}
	if c.dec.SP() {
		if err := c.readFetchModifiers(req, uid); err != nil {
			return err
		}
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	req.uid, req.set = uid, set
	if req.hasChangedSince || req.has(fetchModSeq) {
		c.enableCondstore() // RFC 7162 §3.1
		if !req.has(fetchModSeq) {
			// CHANGEDSINCE answers carry MODSEQ as if asked (§3.1.4.1).
			req.items = append(req.items, fetchItem{kind: fetchModSeq})
			req.needRecord = true
		}
	}
	if uid && !req.has(fetchUID) {
		// UID FETCH always reports the UID (RFC 3501 §6.4.8); first, as
		// clients look for it there.
		req.items = append([]fetchItem{{kind: fetchUID}}, req.items...)
	}
	pos, err := c.sel.resolve(set, uid)
	if err != nil {
		return err
	}
	return c.fetch(pos, req)
}

// readFetchModifiers reads "(CHANGEDSINCE n [VANISHED])" (RFC 7162
// §3.1.4.1, §3.2.6; the fetch-modifier list of RFC 4466 §2.4).
func (c *conn) readFetchModifiers(req *fetchRequest, uid bool) error {
	d := c.dec
	seen := map[string]bool{}
	ok := d.ExpectList(func() bool {
		var name string
		if !d.ExpectAtom(&name) {
			return false
		}
		name = strings.ToUpper(name)
		if seen[name] {
			return d.Failf("FETCH modifier %s given twice", name)
		}
		seen[name] = true
		switch name {
		case "CHANGEDSINCE":
			if !d.ExpectSP() || !d.ExpectNumber64(&req.changedSince) {
				return false
			}
			if req.changedSince > maxModSeq {
				return d.Failf("mod-sequence %d is above 2^63-1", req.changedSince)
			}
			req.hasChangedSince = true
			return true
		case "VANISHED":
			req.vanished = true
			return true
		}
		return d.Failf("unknown FETCH modifier %s", name)
	})
	if !ok {
		return d.Err()
	}
	if req.vanished {
		switch {
		case !uid:
			return bad("VANISHED is a UID FETCH modifier")
		case !req.hasChangedSince:
			return bad("VANISHED needs CHANGEDSINCE")
		case !c.enabled["QRESYNC"]:
			return bad("VANISHED needs ENABLE QRESYNC first")
		}
	}
	return nil
}

func (r *fetchRequest) has(k fetchKind) bool {
	for i := range r.items {
		if r.items[i].kind == k {
			return true
		}
	}
	return false
}

// readFetchItems reads a macro, one fetch-att, or a parenthesised list.
func (c *conn) readFetchItems() (*fetchRequest, bool) {
	req := &fetchRequest{}
	d := c.dec
	if d.Peek('(') {
		ok := d.ExpectList(func() bool { return c.readFetchAtt(req, false) })
		if ok && len(req.items) == 0 {
			return nil, d.Failf("empty fetch item list")
		}
		if !ok {
			return nil, false
		}
	} else if !c.readFetchAtt(req, true) {
		return nil, false
	}
	for i := range req.items {
		it := &req.items[i]
		if it.kind != fetchUID {
			req.needRecord = true
		}
		if (it.kind == fetchSection || it.kind == fetchBinary) && !it.peek {
			req.setSeen = true
		}
	}
	return req, true
}

func isFetchNameChar(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '.'
}

// readFetchAtt reads one fetch-att (or, when macros, ALL/FAST/FULL).
func (c *conn) readFetchAtt(req *fetchRequest, macros bool) bool {
	d := c.dec
	var name string
	if !d.Func(&name, isFetchNameChar) {
		return d.Failf("expected a fetch item")
	}
	name = strings.ToUpper(name)
	add := func(kinds ...fetchKind) bool {
		for _, k := range kinds {
			req.items = append(req.items, fetchItem{kind: k})
		}
		return true
	}
	switch name {
	case "ALL", "FAST", "FULL":
		if !macros {
			return d.Failf("%s is a macro and cannot be in a list", name)
		}
		add(fetchFlags, fetchInternalDate, fetchSize)
		switch name {
		case "ALL":
			add(fetchEnvelope)
		case "FULL":
			add(fetchEnvelope, fetchBody)
		}
		return true
	case "UID":
		return add(fetchUID)
	case "MODSEQ":
		return add(fetchModSeq)
	case "FLAGS":
		return add(fetchFlags)
	case "INTERNALDATE":
		return add(fetchInternalDate)
	case "RFC822.SIZE":
		return add(fetchSize)
	case "ENVELOPE":
		return add(fetchEnvelope)
	case "BODYSTRUCTURE":
		return add(fetchBodyStructure)
	case "RFC822":
		req.items = append(req.items, fetchItem{kind: fetchSection, name: name})
		return true
	case "RFC822.HEADER":
		req.items = append(req.items, fetchItem{kind: fetchSection, name: name, peek: true, sec: section{text: "HEADER"}})
		return true
	case "RFC822.TEXT":
		req.items = append(req.items, fetchItem{kind: fetchSection, name: name, sec: section{text: "TEXT"}})
		return true
	case "BODY":
		if !d.Peek('[') {
			return add(fetchBody)
		}
		fallthrough
	case "BODY.PEEK":
		it := fetchItem{kind: fetchSection, peek: name == "BODY.PEEK"}
		if !c.readSection(&it.sec, false) || !c.readPartial(&it) {
			return false
		}
		req.items = append(req.items, it)
		return true
	case "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		it := fetchItem{kind: fetchBinary, peek: name == "BINARY.PEEK"}
		if name == "BINARY.SIZE" {
			it.kind, it.peek = fetchBinarySize, true
		}
		if !c.readSection(&it.sec, true) {
			return false
		}
		if it.kind == fetchBinary && !c.readPartial(&it) {
			return false
		}
		req.items = append(req.items, it)
		return true
	}
	return d.Failf("unknown fetch item %s", name)
}

// maxSectionDepth bounds the part numbers of one section; the stored
// description nests no deeper (mimeinfo.MaxDepth).
const maxSectionDepth = mimeinfo.MaxDepth

// readSection reads "[" section-spec "]" (RFC 3501 section), or for BINARY
// "[" section-part "]" (RFC 3516 section-binary).
func (c *conn) readSection(s *section, binary bool) bool {
	d := c.dec
	if !d.ExpectSpecial('[') {
		return false
	}
	if d.Special(']') {
		return true
	}
	var spec string
	if !d.Func(&spec, isFetchNameChar) {
		return d.Failf("bad section")
	}
	rest := spec
	for rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		num, after, _ := strings.Cut(rest, ".")
		n, err := strconv.ParseUint(num, 10, 31)
		if err != nil || n == 0 || len(s.part) >= maxSectionDepth {
			return d.Failf("bad section part %q", spec)
		}
		s.part = append(s.part, int(n))
		if after == "" && strings.HasSuffix(rest, ".") {
			return d.Failf("bad section %q", spec)
		}
		rest = after
	}
	s.text = strings.ToUpper(rest)
	switch s.text {
	case "":
	case "HEADER", "TEXT":
	case "MIME":
		if len(s.part) == 0 {
			return d.Failf("MIME needs a part number")
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if !d.ExpectSP() {
			return false
		}
		ok := d.ExpectList(func() bool {
			var f string
			if !d.AString(&f) {
				return false
			}
			s.fields = append(s.fields, f)
			return true
		})
		if !ok {
			return false
		}
		if len(s.fields) == 0 {
			return d.Failf("empty header field list")
		}
	default:
		return d.Failf("bad section %q", spec)
	}
	if binary && s.text != "" {
		return d.Failf("BINARY takes only part numbers")
	}
	return d.ExpectSpecial(']')
}

// readPartial reads an optional "<origin.octets>".
func (c *conn) readPartial(it *fetchItem) bool {
	d := c.dec
	if !d.Special('<') {
		return true
	}
	var origin, count uint32
	if !d.ExpectNumber(&origin) || !d.ExpectSpecial('.') || !d.ExpectNZNumber(&count) || !d.ExpectSpecial('>') {
		return false
	}
	it.partial, it.origin, it.count = true, int64(origin), int64(count)
	return true
}

// fetchFlushEvery bounds what one FETCH buffers before sending.
const fetchFlushEvery = 256

// fetch answers the items of req for the messages at positions pos.
func (c *conn) fetch(pos []int, req *fetchRequest) error {
	sel := c.sel
	if req.hasChangedSince {
		var err error
		if pos, err = c.changedSince(pos, req); err != nil {
			return err
		}
	}
	expunged := false
	live := make([]int, 0, len(pos))
	for _, i := range pos {
		if sel.gone[sel.uids[i]] {
			expunged = true
			continue
		}
		live = append(live, i)
	}
	var recs []*storage.Message
	if req.needRecord {
		var err error
		if recs, err = c.fetchRecords(live); err != nil {
			return err
		}
	}

	// Reading a body sets \Seen (RFC 3501 §6.4.5): for every message at
	// once, before any response, so each response can carry the new flags.
	var seen map[storage.UID]bool
	if req.setSeen && !sel.readOnly {
		var uids []storage.UID
		for _, m := range recs {
			if m != nil && m.Flags.System&storage.FlagSeen == 0 {
				uids = append(uids, m.UID)
			}
		}
		if len(uids) > 0 && req.has(fetchBinary) {
			// A BINARY that will fail must not mark anything read.
			if err := c.checkBinary(recs, req); err != nil {
				return err
			}
		}
		if len(uids) > 0 {
			res, err := c.srv.store.StoreFlags(c.ctx, c.account.ID, sel.mailbox, uids, storage.FlagsAdd, []string{`\Seen`}, storage.Unconditional)
			if err != nil {
				return err
			}
			seen = make(map[storage.UID]bool, len(res.Changed))
			byUID := make(map[storage.UID]*storage.Message, len(res.Changed))
			for _, m := range res.Changed {
				byUID[m.UID], seen[m.UID] = m, true
			}
			for j, m := range recs {
				if m != nil && byUID[m.UID] != nil {
					recs[j] = byUID[m.UID]
				}
			}
		}
	}

	f := &fetcher{c: c, req: req, vals: make([]fetchValue, len(req.items))}
	// One snapshot for every description and body range the command reads.
	err := c.srv.store.Read(c.ctx, func(rd *storage.Reader) error {
		f.rd = rd
		for j, i := range live {
			var m *storage.Message
			if recs != nil {
				if m = recs[j]; m == nil {
					expunged = true // expunged since the view last looked
					continue
				}
			}
			err := f.message(i, m, seen[sel.uids[i]])
			if errors.Is(err, storage.ErrNotFound) {
				expunged = true
				continue
			}
			if err != nil {
				return err
			}
			if j%fetchFlushEvery == fetchFlushEvery-1 {
				if err := c.flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if expunged && !req.uid {
		// The command did what it could; the code tells the client that
		// some sequence numbers it holds name expunged messages (RFC 5530).
		// A UID FETCH names messages by UID, and a UID that no longer
		// exists is simply not there (RFC 3501 §6.4.8).
		return &respError{status: "OK", code: "EXPUNGEISSUED", text: "some messages were expunged; the rest is here"}
	}
	return nil
}

// checkBinary fails with NO [UNKNOWN-CTE] when a BINARY item of req
// names a part whose encoding cannot be decoded in one of the messages.
func (c *conn) checkBinary(recs []*storage.Message, req *fetchRequest) error {
	return c.srv.store.Read(c.ctx, func(rd *storage.Reader) error {
		for _, m := range recs {
			if m == nil {
				continue
			}
			f := &fetcher{c: c, rd: rd, req: req}
			for k := range req.items {
				it := &req.items[k]
				if it.kind != fetchBinary {
					continue
				}
				p, _, err := f.binaryPart(m, it)
				if errors.Is(err, storage.ErrNotFound) {
					break
				}
				if err != nil {
					return err
				}
				if p != nil {
					if _, ok := decodeCTE(p.Encoding, nil); !ok {
						return errUnknownCTE
					}
				}
			}
		}
		return nil
	})
}

// changedSince keeps the positions whose messages changed after the
// request's CHANGEDSINCE mod-sequence, read from the store's change index
// (O(changes), QR-26), and writes VANISHED (EARLIER) for the UIDs of the
// request's set expunged since then (RFC 7162 §3.2.6).
func (c *conn) changedSince(pos []int, req *fetchRequest) ([]int, error) {
	if err := c.freshen(false); err != nil {
		return nil, err
	}
	sel := c.sel
	ch, err := c.srv.store.ChangesSince(c.ctx, c.account.ID, sel.mailbox, req.changedSince)
	if err != nil {
		return nil, err
	}
	if req.vanished {
		set, _ := req.set.(imap.UIDSet)
		if req.set == nil {
			set = sel.saved // "$"
		}
		// "*" reaches every UID the mailbox ever had: expunged UIDs above
		// the highest one left are exactly what a resynchronising client
		// asks for.
		vanished := vanishedIn(sel, boundUIDSet(set, max(ch.UIDNext, 2)-1), req.changedSince, ch)
		if len(vanished) > 0 {
			c.enc.Raw("* VANISHED (EARLIER) ").Raw(rangesString(vanished)).CRLF()
		}
	}
	changed := make(map[storage.UID]*storage.Message, len(ch.Changed))
	for _, m := range ch.Changed {
		changed[m.UID] = m
	}
	out := pos[:0:0]
	for _, i := range pos {
		if m := changed[sel.uids[i]]; m != nil && m.ModSeq > req.changedSince {
			if sel.recs[i] == nil || sel.recs[i].ModSeq < m.ModSeq {
				sel.recs[i] = m
			}
			out = append(out, i)
		}
	}
	return out, nil
}

// boundUIDSet returns a client's UID set with "*" read as star and every
// range ascending (RFC 3501 §6.4.8, RFC 9051 §9: "n:*" with n above star
// is "star:n").
func boundUIDSet(set imap.UIDSet, star storage.UID) imap.UIDSet {
	out := make(imap.UIDSet, 0, len(set))
	top := imap.UID(star)
	for _, r := range set {
		lo, hi := r.Start, r.Stop
		if lo == 0 {
			lo = top
		}
		if hi == 0 {
			hi = top
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		out = append(out, imap.UIDRange{Start: lo, Stop: hi})
	}
	return out
}

// fetchRecords reads the records of the messages at positions pos (nil
// for one no longer in the store): one scan of the mailbox when the
// command covers much of it, one read per message otherwise.
func (c *conn) fetchRecords(pos []int) ([]*storage.Message, error) {
	// The view keeps every message's current record; catch up with the
	// store's changes first, then read from memory.
	if err := c.freshen(false); err != nil {
		return nil, err
	}
	sel := c.sel
	if err := sel.load(c.ctx, c.srv.store, pos); err != nil {
		return nil, err
	}
	recs := make([]*storage.Message, len(pos))
	for j, i := range pos {
		if sel.gone[sel.uids[i]] {
			continue
		}
		recs[j] = sel.recs[i]
	}
	return recs, nil
}

// fetchValue is one item's content for the current message, gathered
// before anything is written so that a failure leaves no half response.
type fetchValue struct {
	data  []byte
	isNil bool
	size  int64 // BINARY.SIZE
}

// fetcher answers one FETCH command, a message at a time.
type fetcher struct {
	c    *conn
	rd   *storage.Reader // the command's snapshot
	req  *fetchRequest
	vals []fetchValue
	info *mimeinfo.Info // the current message's description, once read
}

// message writes the FETCH response for the message at position i (its
// record m, nil when only its UID is asked). seenNow says this command set
// its \Seen flag: the response then carries FLAGS.
func (f *fetcher) message(i int, m *storage.Message, seenNow bool) error {
	c := f.c
	f.info = nil
	for k := range f.req.items {
		it := &f.req.items[k]
		v := &f.vals[k]
		*v = fetchValue{}
		var err error
		switch it.kind {
		case fetchEnvelope, fetchBody, fetchBodyStructure:
			_, err = f.loadInfo(m)
		case fetchSection:
			v.data, v.isNil, err = f.section(m, it)
		case fetchBinary:
			v.data, v.isNil, err = f.binary(m, it)
		case fetchBinarySize:
			v.size, err = f.binarySize(m, it)
		}
		if err != nil {
			return err
		}
	}

	enc := c.enc
	enc.Raw("* ").Number(uint32(i + 1)).Raw(" FETCH (")
	wroteFlags, wroteModSeq := false, false
	for k := range f.req.items {
		it := &f.req.items[k]
		v := &f.vals[k]
		if k > 0 {
			enc.SP()
		}
		switch it.kind {
		case fetchUID:
			enc.Raw("UID ").Number(uint32(c.sel.uids[i]))
		case fetchFlags:
			enc.Raw("FLAGS ")
			writeFlags(enc, m.Flags, c.sel.isRecent(m.UID))
			wroteFlags = true
		case fetchInternalDate:
			enc.Raw("INTERNALDATE ").DateTime(m.InternalDate)
		case fetchSize:
			enc.Raw("RFC822.SIZE ").Number64(uint64(m.Size))
		case fetchEnvelope:
			enc.Raw("ENVELOPE ")
			writeEnvelope(enc, f.info.Envelope)
		case fetchBody:
			enc.Raw("BODY ")
			writeBodyStructure(enc, f.info.Body, false)
		case fetchBodyStructure:
			enc.Raw("BODYSTRUCTURE ")
			writeBodyStructure(enc, f.info.Body, true)
		case fetchSection:
			if it.name != "" {
				enc.Raw(it.name)
			} else {
				enc.Raw("BODY")
				f.writeSectionName(it)
			}
			enc.SP()
			if v.isNil {
				enc.NIL()
			} else {
				enc.Literal(v.data)
			}
		case fetchBinary:
			enc.Raw("BINARY")
			f.writeSectionName(it)
			enc.SP()
			switch {
			case v.isNil:
				enc.NIL()
			case bytes.IndexByte(v.data, 0) >= 0:
				enc.Literal8(v.data)
			default:
				enc.Literal(v.data)
			}
		case fetchBinarySize:
			enc.Raw("BINARY.SIZE")
			f.writeSectionName(it)
			enc.SP().Number64(uint64(v.size))
		case fetchModSeq:
			enc.Raw("MODSEQ (").Number64(m.ModSeq).Special(')')
			wroteModSeq = true
		}
	}
	if seenNow {
		if !wroteFlags {
			enc.Raw(" FLAGS ")
			writeFlags(enc, m.Flags, c.sel.isRecent(m.UID))
			wroteFlags = true
		}
		if c.enabled["CONDSTORE"] {
			// RFC 7162 §3.2.4: a FETCH that changed flags reports the UID
			// and the new MODSEQ.
			if !f.req.has(fetchUID) {
				enc.Raw(" UID ").Number(uint32(m.UID))
			}
			if !wroteModSeq {
				enc.Raw(" MODSEQ (").Number64(m.ModSeq).Special(')')
			}
		}
	}
	enc.Special(')').CRLF()
	if wroteFlags {
		c.sel.sent(m)
	}
	return nil
}

// writeSectionName writes "[section]" and "<origin>" as the response
// names them (RFC 3501 §7.4.2: the octet count is not echoed).
func (f *fetcher) writeSectionName(it *fetchItem) {
	enc := f.c.enc
	enc.Special('[')
	for k, n := range it.sec.part {
		if k > 0 {
			enc.Special('.')
		}
		enc.Number(uint32(n))
	}
	if it.sec.text != "" {
		if len(it.sec.part) > 0 {
			enc.Special('.')
		}
		enc.Raw(it.sec.text)
	}
	if it.sec.fields != nil {
		enc.SP().List(len(it.sec.fields), func(k int) { enc.AString(it.sec.fields[k]) })
	}
	enc.Special(']')
	if it.partial {
		enc.Special('<').Number64(uint64(it.origin)).Special('>')
	}
}

func (f *fetcher) loadInfo(m *storage.Message) (*mimeinfo.Info, error) {
	if f.info == nil {
		info, err := f.rd.MessageInfo(m.Blob)
		f.c.srv.reads.infos.Add(1)
		if err != nil {
			return nil, err
		}
		f.info = info
	}
	return f.info, nil
}

// readRange reads [start, end) of the message's blob, cut to the item's
// partial when it has one.
func (f *fetcher) readRange(m *storage.Message, it *fetchItem, start, end int64) ([]byte, error) {
	if it.partial {
		start, end = partialRange(start, end, it)
	}
	if start >= end {
		return []byte{}, nil
	}
	f.c.srv.reads.blobs.Add(1)
	return f.rd.ReadBlob(m.Blob, start, end-start)
}

// partialRange applies <origin.count> to [start, end).
func partialRange(start, end int64, it *fetchItem) (int64, int64) {
	s := min(start+it.origin, end)
	return s, min(s+it.count, end)
}

// cut applies an item's partial to bytes already in memory.
func cut(b []byte, it *fetchItem) []byte {
	if !it.partial {
		return b
	}
	s, e := partialRange(0, int64(len(b)), it)
	return b[s:e]
}

// section returns the bytes of a BODY[...] item (RFC 3501 §6.4.5); isNil
// when the message has no such part.
func (f *fetcher) section(m *storage.Message, it *fetchItem) (data []byte, isNil bool, err error) {
	s := &it.sec
	if s.wholeMessage() {
		data, err = f.readRange(m, it, 0, m.Size)
		return data, false, err
	}
	info, err := f.loadInfo(m)
	if err != nil {
		return nil, false, err
	}
	p := info.Body
	if len(s.part) > 0 {
		if p = info.PartAt(s.part); p == nil {
			return nil, true, nil
		}
		switch s.text {
		case "":
			data, err = f.readRange(m, it, p.BodyStart, p.End)
			return data, false, err
		case "MIME":
			data, err = f.readRange(m, it, p.HeaderStart, p.BodyStart)
			return data, false, err
		}
		// HEADER and TEXT of a part address the message inside a
		// message/rfc822 part; other parts have none.
		if !p.IsMessage() {
			return nil, true, nil
		}
		p = p.MessageBody
	}
	switch s.text {
	case "HEADER":
		data, err = f.readRange(m, it, p.HeaderStart, p.BodyStart)
	case "TEXT":
		data, err = f.readRange(m, it, p.BodyStart, p.End)
	default: // HEADER.FIELDS, HEADER.FIELDS.NOT
		f.c.srv.reads.blobs.Add(1)
		var h []byte
		if h, err = f.rd.ReadBlob(m.Blob, p.HeaderStart, p.BodyStart-p.HeaderStart); err == nil {
			data = cut(filterHeader(h, s.fields, s.text == "HEADER.FIELDS.NOT"), it)
		}
	}
	return data, false, err
}

// binaryPart finds the part a BINARY item names; whole is set for
// BINARY[], the message as it is.
func (f *fetcher) binaryPart(m *storage.Message, it *fetchItem) (p *mimeinfo.Part, whole bool, err error) {
	if len(it.sec.part) == 0 {
		return nil, true, nil
	}
	info, err := f.loadInfo(m)
	if err != nil {
		return nil, false, err
	}
	return info.PartAt(it.sec.part), false, nil
}

// errUnknownCTE answers BINARY on a part whose encoding the server cannot
// undo (RFC 3516 §4.3).
var errUnknownCTE = no("UNKNOWN-CTE", "cannot decode the part's content transfer encoding")

// binary returns the decoded content of a BINARY[...] item (RFC 3516).
func (f *fetcher) binary(m *storage.Message, it *fetchItem) (data []byte, isNil bool, err error) {
	p, whole, err := f.binaryPart(m, it)
	switch {
	case err != nil:
		return nil, false, err
	case whole:
		data, err = f.readRange(m, it, 0, m.Size)
		return data, false, err
	case p == nil:
		return nil, true, nil
	case identityEncoding(p.Encoding):
		data, err = f.readRange(m, it, p.BodyStart, p.End)
		return data, false, err
	}
	if _, ok := decodeCTE(p.Encoding, nil); !ok {
		return nil, false, errUnknownCTE
	}
	f.c.srv.reads.blobs.Add(1)
	raw, err := f.rd.ReadBlob(m.Blob, p.BodyStart, p.End-p.BodyStart)
	if err != nil {
		return nil, false, err
	}
	data, _ = decodeCTE(p.Encoding, raw)
	return cut(data, it), false, nil
}

// binarySize returns BINARY.SIZE: the decoded size, read from the
// description alone when the part is not encoded.
func (f *fetcher) binarySize(m *storage.Message, it *fetchItem) (int64, error) {
	p, whole, err := f.binaryPart(m, it)
	switch {
	case err != nil:
		return 0, err
	case whole:
		return m.Size, nil
	case p == nil:
		return 0, nil
	case identityEncoding(p.Encoding):
		return p.End - p.BodyStart, nil
	}
	data, _, err := f.binary(m, &fetchItem{kind: fetchBinary, sec: it.sec})
	return int64(len(data)), err
}

// filterHeader keeps the header fields named in fields (or, with not, the
// others), matched without regard to case, as they are written (folded
// lines included), and ends the result with the blank line RFC 3501
// §6.4.5 requires.
func filterHeader(h []byte, fields []string, not bool) []byte {
	out := make([]byte, 0, len(h)/2)
	keep := false
	for len(h) > 0 {
		line := h
		if i := bytes.IndexByte(h, '\n'); i >= 0 {
			line, h = h[:i+1], h[i+1:]
		} else {
			h = nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			if keep {
				out = append(out, line...)
			}
			continue
		}
		if line[0] == '\n' || line[0] == '\r' && (len(line) == 1 || line[1] == '\n') {
			break // the blank line that ends the header
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			keep = false
			continue
		}
		name := bytes.TrimRight(line[:colon], " \t")
		match := false
		for _, f := range fields {
			if len(f) == len(name) && strings.EqualFold(f, string(name)) {
				match = true
				break
			}
		}
		if keep = match != not; keep {
			out = append(out, line...)
		}
	}
	if n := len(out); n > 0 && out[n-1] != '\n' {
		out = append(out, '\r', '\n')
	}
	return append(out, '\r', '\n')
}
