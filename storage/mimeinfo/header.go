package mimeinfo

import "bytes"

// The header fields the parser keeps. The first ten are the envelope's, which
// only the top-level header and the header of an encapsulated message need.
const (
	hDate = iota
	hSubject
	hFrom
	hSender
	hReplyTo
	hTo
	hCc
	hBcc
	hInReplyTo
	hMessageID
	hContentType
	hContentTransferEncoding
	hContentID
	hContentDescription
	hContentMD5
	hContentDisposition
	hContentLanguage
	hContentLocation
	numFields

	firstContentField = hContentType
)

// span is a header value in raw: from after the colon to before the line
// break that ends the field. folded is set when it runs over several lines.
type span struct {
	start, end int
	folded     bool
}

// fields collects the first occurrence of each known header field.
type fields struct {
	v      [numFields]span
	set    uint32 // bit i: v[i] was seen
	lo, hi int    // the smallest range of raw holding every value seen
	str    string // raw[lo:hi] as a string, once text has been called
}

func (f *fields) has(i int) bool { return f.set&(1<<i) != 0 }

// text returns field i's value as a string: unfolded, trimmed of blanks, ""
// when absent. Values that need no unfolding share one string per header.
func (f *fields) text(raw []byte, i int) string {
	if !f.has(i) {
		return ""
	}
	if f.str == "" && f.hi > f.lo {
		f.str = string(raw[f.lo:f.hi])
	}
	sp := f.v[i]
	s := f.str[sp.start-f.lo : sp.end-f.lo]
	if sp.folded {
		s = unfold(s)
	}
	return trimBlanks(s)
}

// unfold removes the line breaks (LF or CRLF) inside a folded header value;
// the blanks that start each continuation line stay.
func unfold(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\n':
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimBlanks(s string) string {
	i, j := 0, len(s)
	for i < j && isBlank(s[i]) {
		i++
	}
	for j > i && isBlank(s[j-1]) {
		j--
	}
	return s[i:j]
}

// lowerEq reports whether b equals the lower-case ASCII string s, ignoring
// the case of b.
func lowerEq(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// fieldID maps a header field name to one of the h… constants, or -1.
func fieldID(name []byte) int {
	switch len(name) {
	case 2:
		if lowerEq(name, "to") {
			return hTo
		}
		if lowerEq(name, "cc") {
			return hCc
		}
	case 3:
		if lowerEq(name, "bcc") {
			return hBcc
		}
	case 4:
		if lowerEq(name, "date") {
			return hDate
		}
		if lowerEq(name, "from") {
			return hFrom
		}
	case 6:
		if lowerEq(name, "sender") {
			return hSender
		}
	case 7:
		if lowerEq(name, "subject") {
			return hSubject
		}
	case 8:
		if lowerEq(name, "reply-to") {
			return hReplyTo
		}
	case 10:
		if lowerEq(name, "message-id") {
			return hMessageID
		}
		if lowerEq(name, "content-id") {
			return hContentID
		}
	case 11:
		if lowerEq(name, "in-reply-to") {
			return hInReplyTo
		}
		if lowerEq(name, "content-md5") {
			return hContentMD5
		}
	case 12:
		if lowerEq(name, "content-type") {
			return hContentType
		}
	case 16:
		if lowerEq(name, "content-language") {
			return hContentLanguage
		}
		if lowerEq(name, "content-location") {
			return hContentLocation
		}
	case 19:
		if lowerEq(name, "content-description") {
			return hContentDescription
		}
		if lowerEq(name, "content-disposition") {
			return hContentDisposition
		}
	case 25:
		if lowerEq(name, "content-transfer-encoding") {
			return hContentTransferEncoding
		}
	}
	return -1
}

// readHeader reads the header that starts at pos. It returns the position
// after the blank line that ends it, or len(raw) when there is none. When a
// line of the header is a multipart delimiter of an enclosing part, the
// header ends before it: hit is set and d describes the delimiter.
//
// Anything goes in a header: a line without a colon, or with a blank in
// the field name, is skipped; a continuation line at the very start is
// skipped; 8-bit bytes and NULs are data. Envelope fields are kept only
// when env is set.
func (p *parser) readHeader(pos int, f *fields, env bool) (end int, d delim, hit bool) {
	raw := p.raw
	n := len(raw)
	for pos < n {
		c := raw[pos]
		if c == '\n' {
			return pos + 1, d, false
		}
		if c == '\r' && pos+1 < n && raw[pos+1] == '\n' {
			return pos + 2, d, false
		}
		if c == '-' && p.active > 0 {
			if d, hit = p.matchDelim(pos); hit {
				return pos, d, true
			}
		}
		// The field runs to the end of this line and over every following
		// line that starts with a blank.
		lineEnd := n
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			lineEnd = pos + i
		}
		fieldEnd, next := lineEnd, lineEnd+1
		folded := false
		for next < n && (raw[next] == ' ' || raw[next] == '\t') {
			folded = true
			fieldEnd = n
			if i := bytes.IndexByte(raw[next:], '\n'); i >= 0 {
				fieldEnd = next + i
			}
			next = fieldEnd + 1
		}
		if next > n {
			next = n
		}
		if c != ' ' && c != '\t' {
			p.field(raw[pos:lineEnd], pos, fieldEnd, folded, f, env)
		}
		pos = next
	}
	return n, d, false
}

// field records the header field whose first line is line (starting at pos
// in raw) and whose value ends at end.
func (p *parser) field(line []byte, pos, end int, folded bool, f *fields, env bool) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return
	}
	name := line[:colon]
	for len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t') {
		name = name[:len(name)-1] // obsolete syntax allows blanks before the colon
	}
	id := fieldID(name)
	if id < 0 || f.has(id) || (!env && id < firstContentField) {
		return
	}
	start := pos + colon + 1
	if end > 0 && p.raw[end-1] == '\r' && end > start {
		end--
	}
	if f.set == 0 || start < f.lo {
		f.lo = start
	}
	if end > f.hi {
		f.hi = end
	}
	f.v[id] = span{start, end, folded}
	f.set |= 1 << id
}
