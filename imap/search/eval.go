package search

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"zest/storage/mimeinfo"
)

// evaluation is the state of one Match: the candidate's parts, each loaded
// at most once, and what was found in its text.
type evaluation struct {
	m   *Matcher
	c   *Candidate
	err error // the first loader error; ends the evaluation

	info                           *mimeinfo.Info
	header, body                   []byte
	infoDone, headerDone, bodyDone bool

	hdrFound  []bool // TEXT strings found in the header; nil until searched
	textFound []bool // BODY and TEXT strings found in the text; nil until searched
}

func (e *evaluation) eval(n *node) bool {
	if e.err != nil {
		return false
	}
	msg := e.c.Message
	switch n.op {
	case opTrue:
		return true
	case opFalse:
		return false
	case opAnd:
		for _, k := range n.kids {
			if !e.eval(k) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range n.kids {
			if e.eval(k) {
				return true
			}
		}
		return false
	case opNot:
		v := e.eval(n.kids[0])
		return e.err == nil && !v
	case opSeq:
		return n.nums.contains(e.c.SeqNum)
	case opUID:
		return n.nums.contains(uint32(msg.UID))
	case opSysFlags:
		sys := msg.Flags.System
		return sys&n.on == n.on && sys&n.off == 0
	case opRecent:
		return e.c.Recent == n.want
	case opKeyword:
		has := false
		for _, k := range msg.Flags.Keywords {
			if strings.EqualFold(k, n.name) {
				has = true
				break
			}
		}
		return has == n.want
	case opLarger:
		return msg.Size > n.num
	case opSmaller:
		return msg.Size < n.num
	case opModSeq:
		return msg.ModSeq >= uint64(n.num)
	case opSince:
		return e.internalDay() >= n.num
	case opBefore:
		return e.internalDay() < n.num
	case opSentSince:
		d, ok := e.sentDay()
		return ok && d >= n.num
	case opSentBefore:
		d, ok := e.sentDay()
		return ok && d < n.num
	case opHeader:
		return e.headerHas(n)
	case opBody:
		return e.textHas(n.idx)
	case opText:
		return e.headerTextHas(n.idx) || e.err == nil && e.textHas(n.idx)
	}
	panic(fmt.Sprintf("search: unknown op %d", n.op))
}

// internalDay is the date of the internal date in the server's zone
// (RFC 3501 §6.4.4 BEFORE, ON, SINCE: "disregarding time and timezone").
func (e *evaluation) internalDay() int64 {
	return dayOf(e.c.Message.InternalDate.In(e.m.loc))
}

// sentDay is the date of the Date: header as written, in the sender's own
// zone (RFC 3501 §6.4.4 SENTBEFORE, SENTON, SENTSINCE: "disregarding time
// and timezone"); mimeinfo keeps the zone of the header. A message whose
// Date: is missing or cannot be parsed is dated by its internal date, which
// is the sent date RFC 5256 §2.2 defines for SORT in that case, so that
// SEARCH and SORT agree and every message falls on one side of every date.
func (e *evaluation) sentDay() (int64, bool) {
	info := e.loadInfo()
	if info == nil {
		return 0, false
	}
	if info.Date.IsZero() {
		return e.internalDay(), true
	}
	return dayOf(info.Date), true
}

// headerHas evaluates HEADER (and FROM, TO, CC, BCC, SUBJECT, which go-imap
// turns into HEADER): RFC 3501 §6.4.4, a field with that name whose text
// after the colon contains the string; the empty string matches any message
// that has the field. Field names compare case-insensitively (RFC 5322
// §1.2.2). Each occurrence of the field is tried, unfolded, as it is and
// with its RFC 2047 encoded words decoded. Only the top-level header counts.
func (e *evaluation) headerHas(n *node) bool {
	hdr := e.loadHeader()
	if hdr == nil {
		return false
	}
	// Buffers on the stack for the common short field.
	var ubuf, fbuf [512]byte
	unf, folded := ubuf[:0], fbuf[:0]
	for name, value := range fields(hdr) {
		if !strings.EqualFold(string(name), n.name) {
			continue
		}
		if len(n.needle) == 0 {
			return true
		}
		unf = appendUnfolded(unf[:0], value)
		var ok bool
		if ok, folded = containsFold(folded, unf, n.needle); ok {
			return true
		}
		if bytes.Contains(unf, encodedWordStart) {
			if ok, folded = containsFold(folded, decodeWords(unf), n.needle); ok {
				return true
			}
		}
	}
	return false
}

// headerTextHas reports whether TEXT string i is in the top-level header
// (every field, raw and decoded). The header is searched once for all TEXT
// strings.
func (e *evaluation) headerTextHas(i int) bool {
	if e.hdrFound == nil {
		hdr := e.loadHeader()
		if hdr == nil {
			return false
		}
		found := make([]bool, len(e.m.needles))
		for j, isText := range e.m.textKeys {
			found[j] = !isText
		}
		s := newScanner(e.m.needles, found)
		writeHeader(s, hdr)
		s.release()
		for j, isText := range e.m.textKeys {
			found[j] = found[j] && isText
		}
		e.hdrFound = found
	}
	return e.hdrFound[i]
}

// textHas reports whether BODY or TEXT string i is in the body text (see
// writeBody). The text is decoded and searched once for all strings; a TEXT
// string already found in the header is not looked for again.
func (e *evaluation) textHas(i int) bool {
	if e.textFound == nil {
		info := e.loadInfo()
		if info == nil {
			return false
		}
		body := e.loadBody()
		if body == nil {
			return false
		}
		found := make([]bool, len(e.m.needles))
		if e.hdrFound != nil {
			copy(found, e.hdrFound)
		}
		s := newScanner(e.m.needles, found)
		writeBody(s, body, info.Body)
		s.release()
		e.textFound = found
	}
	return e.textFound[i]
}

// errNoLoader is returned when a key needs a part of the message that the
// candidate has no way to load.
type errNoLoader string

func (e errNoLoader) Error() string {
	return "search: candidate cannot load the message " + string(e)
}

func (e *evaluation) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *evaluation) loadInfo() *mimeinfo.Info {
	if !e.infoDone {
		e.infoDone = true
		switch {
		case e.c.Info != nil:
			info, err := e.c.Info()
			switch {
			case err != nil:
				e.fail(err)
			case info == nil || info.Body == nil:
				e.fail(errors.New("search: Info loader returned no description"))
			default:
				e.info = info
			}
		case e.c.Body != nil:
			if body := e.loadBody(); body != nil {
				e.info = mimeinfo.Parse(body)
			}
		default:
			e.fail(errNoLoader("description"))
		}
	}
	return e.info
}

// loadHeader returns the raw top-level header: sliced from the whole
// message when that is loaded already (or when there is no Header loader),
// otherwise from the Header loader. nil means an error was recorded.
func (e *evaluation) loadHeader() []byte {
	if !e.headerDone {
		e.headerDone = true
		switch {
		case e.bodyDone && e.body != nil || e.c.Header == nil && e.c.Body != nil:
			if body := e.loadBody(); body != nil {
				e.header = body[:e.headerLen(body)]
			}
		case e.c.Header != nil:
			hdr, err := e.c.Header()
			if err != nil {
				e.fail(err)
			} else {
				e.header = nonNil(hdr)
			}
		default:
			e.fail(errNoLoader("header"))
		}
	}
	return e.header
}

// headerLen is the length of the header of a whole message: from the
// description when it is loaded, otherwise up to and including the first
// blank line, as mimeinfo counts it.
func (e *evaluation) headerLen(body []byte) int {
	if e.info != nil {
		return min(max(e.info.HeaderLen, 0), len(body))
	}
	pos := 0
	for pos < len(body) {
		end := lineEnd(body, pos)
		if isBlankLine(body[pos:end]) {
			return end
		}
		pos = end
	}
	return len(body)
}

func (e *evaluation) loadBody() []byte {
	if !e.bodyDone {
		e.bodyDone = true
		if e.c.Body == nil {
			e.fail(errNoLoader("body"))
			return nil
		}
		body, err := e.c.Body()
		if err != nil {
			e.fail(err)
		} else {
			e.body = nonNil(body)
		}
	}
	return e.body
}

// nonNil keeps "loaded, empty" apart from "not loaded".
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
