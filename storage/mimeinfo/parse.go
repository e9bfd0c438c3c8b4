package mimeinfo

import (
	"bytes"
	"slices"
)

// The parser reads the message once, front to back, keeping a stack of the
// parts that are open at the current position (the top-level part at the
// bottom, the innermost on top). Every multipart on the stack whose close
// delimiter has not been seen contributes its boundary; a line that starts
// with "--" and one of those boundaries, followed by the end of the line, a
// blank or "--", is a delimiter (RFC 2046 §5.1.1; see delimEnds). When
// several boundaries fit, the longest wins, and among equals the innermost. A
// delimiter of an outer multipart closes every part inside it that was left
// open, so a missing close delimiter costs nothing; a delimiter met while a
// part's header is being read ends that header. This is the way Dovecot's
// message parser works, and it keeps the cost linear in the size of the
// message whatever the nesting. It differs from Dovecot in two places, both
// for RFC 2046's grammar: Dovecot takes any line that merely starts with
// "--boundary" for a delimiter, and it gives the line break after a close
// delimiter to the epilogue even when an enclosing delimiter follows at once
// (which makes a message/rfc822 part holding a multipart 2 bytes longer).

type frame struct {
	part     *Part
	boundary string // boundary of a multipart whose close delimiter has not been seen
	floor    int    // where the current content of this part began
	digest   bool   // a multipart/digest, whose children default to message/rfc822
	inHeader bool   // the part's header is being read
}

// delim is a delimiter line found at line: it belongs to stack[owner];
// eol is where its line break starts and next where it ends (both len(raw)
// when the message ends on the delimiter line).
type delim struct {
	line, eol, next int
	owner           int
	close           bool
}

type parser struct {
	raw    []byte
	stack  []frame
	active int // frames on the stack with a boundary
	parts  int // parts created, synthetic ones apart
	lines  []*Part
	slab   []Part // parts are carved from here, a few at a time
}

func (p *parser) newPart() *Part {
	if len(p.slab) == 0 {
		p.slab = make([]Part, min(4<<min(p.parts/4, 6), 64))
	}
	part := &p.slab[0]
	p.slab = p.slab[1:]
	return part
}

// Parse describes raw, a complete RFC 5322 message with CRLF or bare LF line
// endings. It never fails: whatever raw holds, the result describes it as
// well as can be done, and satisfies the invariants documented on Part.
func Parse(raw []byte) *Info {
	p := parser{raw: raw}
	var stackBuf [8]frame
	var linesBuf [8]*Part
	p.stack, p.lines = stackBuf[:0], linesBuf[:0]
	root := p.newPart()
	env := &Envelope{}
	info := &Info{Size: int64(len(raw)), Envelope: env, Body: root}
	p.parts = 1
	pos, d, hit := p.open(root, 0, false, env, info)
	for {
		if !hit {
			if p.active == 0 {
				break
			}
			if d, hit = p.findDelim(pos); !hit {
				break
			}
		}
		pos, d, hit = p.atDelim(d)
	}
	for len(p.stack) > 0 {
		p.pop(len(raw))
	}
	p.countLines()
	info.HeaderLen = int(root.BodyStart)
	return info
}

// open starts part at pos: it reads its header and, for a multipart,
// makes its boundary active, or for an encapsulated message opens the
// message inside. It returns where the body scan goes on, or the delimiter
// that cut a header short.
func (p *parser) open(part *Part, pos int, inDigest bool, env *Envelope, info *Info) (int, delim, bool) {
	for {
		part.HeaderStart = int64(pos)
		p.stack = append(p.stack, frame{part: part, floor: pos, inHeader: true})
		var f fields
		end, d, hit := p.readHeader(pos, &f, env != nil)
		p.describe(part, &f, inDigest)
		if env != nil {
			p.envelope(env, &f, info)
		}
		if hit {
			return pos, d, true
		}
		part.BodyStart = int64(end)
		top := &p.stack[len(p.stack)-1]
		top.inHeader, top.floor = false, end
		switch {
		case part.IsMultipart():
			top.boundary = part.Param("boundary")
			top.digest = part.Subtype == "digest"
			p.active++
			return end, d, false
		case part.IsMessage():
			inner := p.newPart()
			p.parts++
			part.MessageBody = inner
			part.Message = &Envelope{}
			part, pos, inDigest, env, info = inner, end, false, part.Message, nil
		default:
			return end, d, false
		}
	}
}

// describe fills in part's content fields from its header.
func (p *parser) describe(part *Part, f *fields, inDigest bool) {
	raw := p.raw
	typ, sub, params, ok := "", "", []Param(nil), false
	if f.has(hContentType) {
		typ, sub, params, ok = parseMediaType(f.text(raw, hContentType))
	}
	if !ok {
		typ, sub, params = "text", "plain", nil
		if inDigest {
			typ, sub = "message", "rfc822"
		}
	}
	part.Type, part.Subtype, part.Params = typ, sub, params
	container := part.IsMultipart() || part.IsMessage()
	if part.IsMultipart() && part.Param("boundary") == "" {
		// Nothing inside can be found: read it as text (Dovecot too).
		part.Type, part.Subtype = "text", "plain"
		container = false
	}
	if container && (len(p.stack) > MaxDepth || p.parts >= MaxParts) {
		part.Type, part.Subtype = "application", "octet-stream"
	}
	part.Encoding = "7bit"
	if f.has(hContentTransferEncoding) {
		part.Encoding = parseEncoding(f.text(raw, hContentTransferEncoding))
	}
	part.ID = f.text(raw, hContentID)
	part.Description = f.text(raw, hContentDescription)
	part.MD5 = f.text(raw, hContentMD5)
	part.Location = f.text(raw, hContentLocation)
	if f.has(hContentDisposition) {
		part.Disposition, part.DispositionParams = parseDisposition(f.text(raw, hContentDisposition))
	}
	if f.has(hContentLanguage) {
		part.Language = parseLanguage(f.text(raw, hContentLanguage))
	}
}

// envelope fills env from a message header, and info.Date for the top-level
// one.
func (p *parser) envelope(env *Envelope, f *fields, info *Info) {
	raw := p.raw
	for _, x := range [...]struct {
		h   int
		f   Field
		dst *string
	}{
		{hDate, FieldDate, &env.Date},
		{hSubject, FieldSubject, &env.Subject},
		{hInReplyTo, FieldInReplyTo, &env.InReplyTo},
		{hMessageID, FieldMessageID, &env.MessageID},
	} {
		if f.has(x.h) {
			*x.dst = f.text(raw, x.h)
			env.Present |= x.f
		}
	}
	for _, x := range [...]struct {
		h   int
		dst *[]Address
	}{
		{hFrom, &env.From}, {hSender, &env.Sender}, {hReplyTo, &env.ReplyTo},
		{hTo, &env.To}, {hCc, &env.Cc}, {hBcc, &env.Bcc},
	} {
		if f.has(x.h) {
			*x.dst = parseAddressList(f.text(raw, x.h))
		}
	}
	if len(env.Sender) == 0 {
		env.Sender = env.From
	}
	if len(env.ReplyTo) == 0 {
		env.ReplyTo = env.From
	}
	if info != nil && env.Has(FieldDate) {
		if t, ok := parseDate(env.Date); ok {
			info.Date = t
		}
	}
}

// matchDelim reports whether the line at pos is a delimiter of an open
// multipart.
func (p *parser) matchDelim(pos int) (delim, bool) {
	line := p.raw[pos:]
	if len(line) < 2 || line[0] != '-' || line[1] != '-' {
		return delim{}, false
	}
	line = line[2:]
	best, owner := 0, -1
	for i := len(p.stack) - 1; i >= 0; i-- {
		b := p.stack[i].boundary
		if len(b) > best && len(b) <= len(line) && string(line[:len(b)]) == b && delimEnds(line[len(b):]) {
			best, owner = len(b), i
		}
	}
	if owner < 0 {
		return delim{}, false
	}
	d := delim{line: pos, owner: owner, eol: len(p.raw), next: len(p.raw)}
	rest := line[best:]
	d.close = len(rest) >= 2 && rest[0] == '-' && rest[1] == '-'
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		d.next = pos + 2 + best + i + 1
		d.eol = d.next - 1
		if i > 0 && rest[i-1] == '\r' {
			d.eol--
		}
	}
	return d, true
}

// delimEnds reports whether rest, what follows "--boundary" on a line, lets
// the line be a delimiter: it must end there, go on with a blank (trailing
// blanks are allowed, and whatever junk follows them is ignored), or go on
// with "--" (a close delimiter). So "--b10" is not a delimiter of boundary
// "b1", which a bare prefix test would take it for.
func delimEnds(rest []byte) bool {
	if len(rest) == 0 {
		return true
	}
	switch rest[0] {
	case '\r', '\n', ' ', '\t':
		return true
	case '-':
		return len(rest) >= 2 && rest[1] == '-'
	}
	return false
}

var nlDashes = []byte("\n--")

// findDelim finds the first delimiter line at or after pos, which is the
// start of a line.
func (p *parser) findDelim(pos int) (delim, bool) {
	raw := p.raw
	for pos < len(raw) {
		if raw[pos] == '-' {
			if d, ok := p.matchDelim(pos); ok {
				return d, true
			}
		}
		i := bytes.Index(raw[pos:], nlDashes)
		if i < 0 {
			break
		}
		pos += i + 1
	}
	return delim{}, false
}

// atDelim handles the delimiter d: it closes the parts inside its
// multipart and then opens the next body part, unless d is the close
// delimiter.
func (p *parser) atDelim(d delim) (int, delim, bool) {
	// The line break before the delimiter belongs to it, if the current
	// content has one to give.
	top := &p.stack[len(p.stack)-1]
	end := d.line
	if end-1 >= top.floor && p.raw[end-1] == '\n' {
		end--
		if end-1 >= top.floor && p.raw[end-1] == '\r' {
			end--
		}
	}
	if top.inHeader {
		top.part.BodyStart = int64(end)
	}
	for len(p.stack)-1 > d.owner {
		p.pop(end)
	}
	m := &p.stack[d.owner]
	// What follows a close delimiter is epilogue: "--b--" CRLF epilogue,
	// where the CRLF may also be the one that a following delimiter of an
	// enclosing multipart takes (RFC 2046 §5.1.1: close-delimiter
	// transport-padding [CRLF epilogue]). So the floor is the line break.
	m.floor = d.eol
	if d.close {
		m.boundary = ""
		p.active--
		return d.next, d, false
	}
	if p.parts >= MaxParts {
		return d.next, d, false // the rest is read as junk between parts
	}
	child := p.newPart()
	p.parts++
	m.part.Children = append(m.part.Children, child)
	return p.open(child, d.next, m.digest, nil, nil)
}

// pop closes the innermost open part at end.
func (p *parser) pop(end int) {
	f := &p.stack[len(p.stack)-1]
	part := f.part
	if f.inHeader {
		part.BodyStart = int64(end)
	}
	if f.boundary != "" {
		p.active--
	}
	part.End = int64(end)
	switch {
	case part.IsMultipart():
		if len(part.Children) == 0 {
			part.Children = []*Part{emptyPart(part.End)}
		}
	case part.IsMessage():
		if part.MessageBody == nil {
			part.MessageBody = emptyPart(part.End)
			part.Message = &Envelope{}
		}
		p.lines = append(p.lines, part)
	case part.Type == "text":
		p.lines = append(p.lines, part)
	}
	p.stack = p.stack[:len(p.stack)-1]
}

// emptyPart is the zero-length text/plain stand-in at pos.
func emptyPart(pos int64) *Part {
	return &Part{Type: "text", Subtype: "plain", Encoding: "7bit", HeaderStart: pos, BodyStart: pos, End: pos}
}

// countLines sets Lines on the parts that need it. Bodies of encapsulated
// messages contain one another, so counting each afresh could cost depth
// times the message size; when they overlap, the line breaks are counted
// once between consecutive boundaries instead.
func (p *parser) countLines() {
	total := 0
	for _, part := range p.lines {
		total += int(part.End - part.BodyStart)
	}
	if total <= 2*len(p.raw) {
		for _, part := range p.lines {
			part.Lines = int64(bytes.Count(p.raw[part.BodyStart:part.End], []byte{'\n'}))
		}
		return
	}
	marks := make([]int64, 0, 2*len(p.lines))
	for _, part := range p.lines {
		marks = append(marks, part.BodyStart, part.End)
	}
	slices.Sort(marks)
	marks = slices.Compact(marks)
	cum := make([]int64, len(marks))
	for i := 1; i < len(marks); i++ {
		cum[i] = cum[i-1] + int64(bytes.Count(p.raw[marks[i-1]:marks[i]], []byte{'\n'}))
	}
	at := func(x int64) int64 {
		i, _ := slices.BinarySearch(marks, x)
		return cum[i]
	}
	for _, part := range p.lines {
		part.Lines = at(part.End) - at(part.BodyStart)
	}
}
