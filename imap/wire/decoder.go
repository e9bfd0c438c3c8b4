package wire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"
)

// SyntaxError is a malformed command: the server answers BAD with its text
// and goes on reading the next command.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }

// LiteralTooBigError is a literal over the size limit. For a synchronising
// literal nothing was sent yet and the session goes on (RFC 7888 §4: answer
// with [TOOBIG]); a non-synchronising one is on its way, and the session
// must end after the reply, since its bytes cannot be told from commands.
type LiteralTooBigError struct {
	Size, Max int64
	NonSync   bool
}

func (e *LiteralTooBigError) Error() string {
	return fmt.Sprintf("literal of %d bytes exceeds the limit of %d", e.Size, e.Max)
}

// ErrLineTooLong means a command line (outside literals) is over the limit.
var ErrLineTooLong = errors.New("command line too long")

// Decoder reads the tokens of client commands.
type Decoder struct {
	r     *bufio.Reader
	err   error
	n     int  // bytes of the current line read outside literals
	ended bool // the last thing read was a line end: nothing is left to discard

	// MaxLine bounds one line outside literals (default 64 KiB).
	MaxLine int
	// MaxLiteral bounds a literal (default 64 MiB).
	MaxLiteral int64
	// Continue is called before a synchronising literal is read, to send
	// the "+" continuation request; an error refuses the literal.
	Continue func(size int64) error
	// UTF8 is set once UTF8=ACCEPT is enabled: mailbox names arrive as
	// UTF-8, not modified UTF-7, and quoted strings may hold UTF-8.
	UTF8 bool
}

// NewDecoder reads commands from r.
func NewDecoder(r *bufio.Reader) *Decoder {
	return &Decoder{r: r, MaxLine: 64 << 10, MaxLiteral: 64 << 20}
}

// Err is the first error met since the last Reset.
func (d *Decoder) Err() error { return d.err }

// Reset forgets the error and starts a new line.
func (d *Decoder) Reset() { d.err, d.n, d.ended = nil, 0, false }

// LineEnded reports whether the current command line has been read to its
// end, so there is nothing left to discard.
func (d *Decoder) LineEnded() bool { return d.ended }

func (d *Decoder) fail(err error) bool {
	if d.err == nil {
		d.err = err
	}
	return false
}

// Failf records a syntax error.
func (d *Decoder) Failf(format string, args ...any) bool {
	return d.fail(&SyntaxError{Msg: fmt.Sprintf(format, args...)})
}

func (d *Decoder) readByte() (byte, bool) {
	if d.err != nil {
		return 0, false
	}
	b, err := d.r.ReadByte()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, d.fail(err)
	}
	d.n++
	d.ended = false
	if d.MaxLine > 0 && d.n > d.MaxLine {
		return 0, d.fail(ErrLineTooLong)
	}
	return b, true
}

func (d *Decoder) unread() {
	d.r.UnreadByte()
	d.n--
}

// peek returns the next byte without consuming it.
func (d *Decoder) peek() (byte, bool) {
	if d.err != nil {
		return 0, false
	}
	b, err := d.r.Peek(1)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, d.fail(err)
	}
	return b[0], true
}

// Peek reports whether the next byte is b, without consuming it.
func (d *Decoder) Peek(b byte) bool {
	c, ok := d.peek()
	return ok && c == b
}

// Special consumes b if it comes next.
func (d *Decoder) Special(b byte) bool {
	c, ok := d.peek()
	if !ok || c != b {
		return false
	}
	d.readByte()
	return true
}

// ExpectSpecial consumes b or fails.
func (d *Decoder) ExpectSpecial(b byte) bool {
	return d.Special(b) || d.Failf("expected %q", b)
}

// SP consumes a space.
func (d *Decoder) SP() bool { return d.Special(' ') }

// ExpectSP consumes a space or fails.
func (d *Decoder) ExpectSP() bool { return d.SP() || d.Failf("expected a space") }

// CRLF consumes the end of a line. A bare LF is accepted, as most servers do.
func (d *Decoder) CRLF() bool {
	if d.Special('\r') {
		return d.Special('\n') || d.Failf("expected LF after CR")
	}
	if d.Special('\n') {
		d.n = 0
		return true
	}
	return false
}

// ExpectCRLF ends the line or fails.
func (d *Decoder) ExpectCRLF() bool {
	if d.CRLF() {
		d.n = 0
		d.ended = true
		return true
	}
	if d.err != nil {
		return false
	}
	c, _ := d.peek()
	return d.Failf("expected end of line, found %q", c)
}

// IsAtomChar reports whether c may appear in an atom (RFC 3501 ATOM-CHAR).
func IsAtomChar(c byte) bool {
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return c > 0x1f && c < 0x7f
}

// IsAStringChar is ATOM-CHAR plus "]" (RFC 3501 ASTRING-CHAR).
func IsAStringChar(c byte) bool { return IsAtomChar(c) || c == ']' }

// Func reads a non-empty run of bytes for which valid is true.
func (d *Decoder) Func(ptr *string, valid func(byte) bool) bool {
	var b strings.Builder
	for {
		c, ok := d.peek()
		if !ok || !valid(c) {
			break
		}
		d.readByte()
		b.WriteByte(c)
	}
	if b.Len() == 0 {
		return false
	}
	*ptr = b.String()
	return true
}

// Atom reads an atom.
func (d *Decoder) Atom(ptr *string) bool { return d.Func(ptr, IsAtomChar) }

// ExpectAtom reads an atom or fails.
func (d *Decoder) ExpectAtom(ptr *string) bool {
	return d.Atom(ptr) || d.Failf("expected an atom")
}

// Number reads a 32-bit unsigned number.
func (d *Decoder) Number(ptr *uint32) bool {
	var s string
	if !d.Func(&s, isDigit) {
		return false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return d.Failf("number %s out of range", s)
	}
	*ptr = uint32(n)
	return true
}

// ExpectNumber reads a number or fails.
func (d *Decoder) ExpectNumber(ptr *uint32) bool {
	return d.Number(ptr) || d.Failf("expected a number")
}

// ExpectNZNumber reads a non-zero number or fails.
func (d *Decoder) ExpectNZNumber(ptr *uint32) bool {
	if !d.ExpectNumber(ptr) {
		return false
	}
	return *ptr != 0 || d.Failf("expected a non-zero number")
}

// Number64 reads a 63-bit unsigned number (RFC 9051 number64, mod-sequences).
func (d *Decoder) Number64(ptr *uint64) bool {
	var s string
	if !d.Func(&s, isDigit) {
		return false
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return d.Failf("number %s out of range", s)
	}
	*ptr = n
	return true
}

// ExpectNumber64 reads a number64 or fails.
func (d *Decoder) ExpectNumber64(ptr *uint64) bool {
	return d.Number64(ptr) || d.Failf("expected a number")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Quoted reads a quoted string.
func (d *Decoder) Quoted(ptr *string) bool {
	if !d.Special('"') {
		return false
	}
	var b strings.Builder
	for {
		c, ok := d.readByte()
		if !ok {
			return false
		}
		switch {
		case c == '"':
			s := b.String()
			if !utf8.ValidString(s) {
				return d.Failf("quoted string is not valid UTF-8")
			}
			*ptr = s
			return true
		case c == '\\':
			c, ok = d.readByte()
			if !ok {
				return false
			}
			if c != '\\' && c != '"' {
				return d.Failf("invalid escape \\%c in quoted string", c)
			}
		case c == '\r' || c == '\n' || c == 0:
			return d.Failf("line end or NUL inside a quoted string")
		case c >= 0x80 && !d.UTF8:
			// RFC 3501 quoted strings are 7-bit; clients that send UTF-8
			// anyway are common, and RFC 9051 allows it: accept it.
		}
		b.WriteByte(c)
	}
}

// literal reads a literal's header ("{n}", "{n+}", "{n-}" or "~{n}" when
// binary is allowed) and then its bytes.
func (d *Decoder) literal(binary bool) (data []byte, isLiteral, isBinary bool) {
	if binary && d.Special('~') {
		isBinary = true
		if !d.Peek('{') {
			d.Failf("expected { after ~")
			return nil, false, false
		}
	}
	if !d.Special('{') {
		return nil, false, false
	}
	var size uint64
	if !d.ExpectNumber64(&size) {
		return nil, false, false
	}
	nonSync := d.Special('+') || d.Special('-')
	if !d.ExpectSpecial('}') || !d.ExpectCRLF() {
		return nil, false, false
	}
	if int64(size) > d.MaxLiteral {
		d.fail(&LiteralTooBigError{Size: int64(size), Max: d.MaxLiteral, NonSync: nonSync})
		return nil, false, false
	}
	if !nonSync && d.Continue != nil {
		if err := d.Continue(int64(size)); err != nil {
			d.fail(err)
			return nil, false, false
		}
	}
	data = make([]byte, size)
	if _, err := io.ReadFull(d.r, data); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		d.fail(err)
		return nil, false, false
	}
	if !isBinary {
		for _, c := range data {
			if c == 0 {
				d.Failf("NUL in a literal (use a literal8)")
				return nil, false, false
			}
		}
	}
	d.n = 0 // the line goes on after the literal
	d.ended = false
	return data, true, isBinary
}

// Literal reads a literal as bytes.
func (d *Decoder) Literal(ptr *[]byte) bool {
	data, ok, _ := d.literal(false)
	if ok {
		*ptr = data
	}
	return ok
}

// Literal8 reads a literal or a literal8 (RFC 3516), reporting which.
func (d *Decoder) Literal8(ptr *[]byte, binary *bool) bool {
	data, ok, bin := d.literal(true)
	if ok {
		*ptr, *binary = data, bin
	}
	return ok
}

// String reads a quoted string or a literal.
func (d *Decoder) String(ptr *string) bool {
	if d.Quoted(ptr) {
		return true
	}
	if d.err != nil {
		return false
	}
	var b []byte
	if d.Literal(&b) {
		*ptr = string(b)
		return true
	}
	return false
}

// ExpectString reads a string or fails.
func (d *Decoder) ExpectString(ptr *string) bool {
	return d.String(ptr) || d.Failf("expected a string")
}

// AString reads an atom (with "]" allowed), a quoted string or a literal.
func (d *Decoder) AString(ptr *string) bool {
	return d.String(ptr) || d.err == nil && d.Func(ptr, IsAStringChar)
}

// ExpectAString reads an astring or fails.
func (d *Decoder) ExpectAString(ptr *string) bool {
	return d.AString(ptr) || d.Failf("expected a string")
}

// NIL reads the atom NIL.
func (d *Decoder) NIL() bool {
	c, ok := d.peek()
	if !ok || c != 'N' && c != 'n' {
		return false
	}
	buf, err := d.r.Peek(3)
	if err != nil || !strings.EqualFold(string(buf), "NIL") {
		return false
	}
	if len(buf) == 3 {
		next, err := d.r.Peek(4)
		if err == nil && IsAtomChar(next[3]) {
			return false
		}
	}
	for range 3 {
		d.readByte()
	}
	return true
}

// ExpectMailbox reads a mailbox name: an astring, decoded from modified
// UTF-7 unless UTF8 is set, with INBOX in any case spelled "INBOX".
func (d *Decoder) ExpectMailbox(ptr *string) bool {
	var raw string
	if !d.ExpectAString(&raw) {
		return false
	}
	name := raw
	// Modified UTF-7 never has 8-bit bytes, so a name with them is UTF-8
	// even before UTF8=ACCEPT: IMAP4rev2 clients send UTF-8 (RFC 9051 §5.1).
	if !d.UTF8 && !has8bit(raw) {
		var err error
		if name, err = DecodeMUTF7(raw); err != nil {
			return d.Failf("mailbox name %q: %v", raw, err)
		}
	} else if !utf8.ValidString(raw) {
		return d.Failf("mailbox name %q is not valid UTF-8", raw)
	}
	if strings.EqualFold(name, "INBOX") {
		name = "INBOX"
	}
	*ptr = name
	return true
}

// List reads a parenthesised list, calling item for each element. It
// returns false without error when no "(" comes next.
func (d *Decoder) List(item func() bool) bool {
	if !d.Special('(') {
		return false
	}
	if d.Special(')') {
		return true
	}
	for {
		if !item() {
			return d.err == nil && d.Failf("bad list element")
		}
		if d.Special(')') {
			return true
		}
		if !d.ExpectSP() {
			return false
		}
	}
}

// ExpectList reads a list or fails.
func (d *Decoder) ExpectList(item func() bool) bool {
	return d.List(item) || d.err == nil && d.Failf("expected a list")
}

// NumSet reads a sequence set (RFC 3501 sequence-set, or "$" for the saved
// search result of RFC 5182). It returns the set, whether it was "$", and
// whether a set was read. In the set, "*" is 0, as go-imap represents it.
func (d *Decoder) NumSet(uid bool) (set imap.NumSet, saved bool, ok bool) {
	if d.Special('$') {
		return nil, true, true
	}
	var s string
	if !d.Func(&s, func(c byte) bool { return isDigit(c) || c == ':' || c == ',' || c == '*' }) {
		return nil, false, false
	}
	ranges, err := parseRanges(s)
	if err != nil {
		d.Failf("bad sequence set %q: %v", s, err)
		return nil, false, false
	}
	if uid {
		u := make(imap.UIDSet, len(ranges))
		for i, r := range ranges {
			u[i] = imap.UIDRange{Start: imap.UID(r[0]), Stop: imap.UID(r[1])}
		}
		set = u
	} else {
		q := make(imap.SeqSet, len(ranges))
		for i, r := range ranges {
			q[i] = imap.SeqRange{Start: r[0], Stop: r[1]}
		}
		set = q
	}
	return set, false, true
}

// ExpectNumSet reads a sequence set or fails.
func (d *Decoder) ExpectNumSet(uid bool) (set imap.NumSet, saved bool, ok bool) {
	set, saved, ok = d.NumSet(uid)
	if !ok && d.err == nil {
		d.Failf("expected a sequence set")
	}
	return set, saved, ok
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// ExpectDate reads a search date (RFC 3501 date: d-Mon-yyyy, optionally
// quoted) as midnight UTC of that day.
func (d *Decoder) ExpectDate(ptr *time.Time) bool {
	var s string
	quoted := d.Quoted(&s)
	if !quoted && (d.err != nil || !d.Func(&s, func(c byte) bool { return c == '-' || isDigit(c) || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' })) {
		return d.Failf("expected a date")
	}
	t, ok := parseDate(s)
	if !ok {
		return d.Failf("bad date %q (want d-Mon-yyyy)", s)
	}
	*ptr = t
	return true
}

func parseDate(s string) (time.Time, bool) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[2]) != 4 {
		return time.Time{}, false
	}
	day, err1 := strconv.Atoi(parts[0])
	year, err2 := strconv.Atoi(parts[2])
	month := 0
	for i, m := range months {
		if strings.EqualFold(m, parts[1]) {
			month = i + 1
		}
	}
	if err1 != nil || err2 != nil || month == 0 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31-Feb
	}
	return t, true
}

// ExpectDateTime reads an APPEND date-time ("dd-Mon-yyyy hh:mm:ss +zzzz",
// the day possibly space-padded).
func (d *Decoder) ExpectDateTime(ptr *time.Time) bool {
	var s string
	if !d.Quoted(&s) {
		return d.Failf("expected a quoted date-time")
	}
	t, err := time.Parse("_2-Jan-2006 15:04:05 -0700", s)
	if err != nil {
		return d.Failf("bad date-time %q", s)
	}
	*ptr = t
	return true
}

// DiscardLine skips the rest of the current line after an error, including
// any non-synchronising literals on it (their bytes are on their way). A
// synchronising literal was never sent, since no continuation was given.
// It reports false when the connection cannot go on.
func (d *Decoder) DiscardLine() bool {
	var big *LiteralTooBigError
	var se *SyntaxError
	switch {
	case errors.As(d.err, &big) && big.NonSync:
		return false // its bytes are coming and cannot be told from commands
	case errors.As(d.err, &big):
		d.Reset() // the header and its CRLF were read; the line is over
		return true
	case d.err != nil && !errors.As(d.err, &se):
		return false // I/O error or line too long
	case d.ended:
		d.Reset() // the line was read to its end before the error
		return true
	}
	d.err = nil
	var tail []byte // the last bytes of the line, to spot "{n+}"
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			d.err = err
			return false
		}
		d.n++
		if d.n > 16*d.MaxLine {
			d.err = ErrLineTooLong
			return false
		}
		if c != '\n' {
			tail = append(tail, c)
			if len(tail) > 32 {
				tail = tail[len(tail)-32:]
			}
			continue
		}
		size, nonSync := literalAtEnd(tail)
		if size < 0 || !nonSync {
			d.Reset()
			return true
		}
		if size > d.MaxLiteral {
			d.err = &LiteralTooBigError{Size: size, Max: d.MaxLiteral, NonSync: true}
			return false
		}
		if _, err := io.CopyN(io.Discard, d.r, size); err != nil {
			d.err = err
			return false
		}
		tail = tail[:0]
		d.n = 0
	}
}

// literalAtEnd finds a literal header at the end of a line ("{12}" or
// "{12+}", with or without CR): its size (or -1) and whether it is
// non-synchronising.
func literalAtEnd(line []byte) (int64, bool) {
	s := strings.TrimSuffix(string(line), "\r")
	if !strings.HasSuffix(s, "}") {
		return -1, false
	}
	open := strings.LastIndexByte(s, '{')
	if open < 0 {
		return -1, false
	}
	num := s[open+1 : len(s)-1]
	nonSync := strings.HasSuffix(num, "+") || strings.HasSuffix(num, "-")
	num = strings.TrimRight(num, "+-")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return -1, false
	}
	return n, nonSync
}

// parseRanges parses a sequence set into [start, stop] pairs with start <=
// stop, where 0 is "*" and sorts last ("5:*" and "*:5" are both {5, 0}).
func parseRanges(s string) ([][2]uint32, error) {
	var out [][2]uint32
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, ":")
		start, err := parseSeqNumber(a)
		if err != nil {
			return nil, err
		}
		stop := start
		if isRange {
			if stop, err = parseSeqNumber(b); err != nil {
				return nil, err
			}
		}
		if start == 0 || stop != 0 && stop < start {
			start, stop = stop, start
		}
		out = append(out, [2]uint32{start, stop})
	}
	return out, nil
}

func parseSeqNumber(s string) (uint32, error) {
	if s == "*" {
		return 0, nil
	}
	if s == "" || s[0] == '0' {
		return 0, errors.New("numbers start at 1")
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("number out of range")
	}
	return uint32(n), nil
}

func has8bit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}
