package wire

import (
	"bufio"
	"strconv"
	"time"
	"unicode/utf8"
)

// Encoder writes the tokens of server responses. Calls chain; the first
// write error is kept and returned by Flush.
type Encoder struct {
	w   *bufio.Writer
	err error
	// UTF8 is set once UTF8=ACCEPT is enabled (RFC 6855): mailbox names
	// are sent as UTF-8 and quoted strings may carry UTF-8.
	UTF8 bool
}

// NewEncoder writes responses to w.
func NewEncoder(w *bufio.Writer) *Encoder { return &Encoder{w: w} }

func (e *Encoder) write(s string) *Encoder {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
	return e
}

func (e *Encoder) writeBytes(b []byte) *Encoder {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
	return e
}

// Flush sends what was written and returns the first error.
func (e *Encoder) Flush() error {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}

// Err is the first write error.
func (e *Encoder) Err() error { return e.err }

// Raw writes s as it is: for fixed protocol text like "* OK ".
func (e *Encoder) Raw(s string) *Encoder { return e.write(s) }

// Atom writes an atom; the caller guarantees it has only atom characters.
func (e *Encoder) Atom(s string) *Encoder { return e.write(s) }

// SP writes a space.
func (e *Encoder) SP() *Encoder { return e.write(" ") }

// Special writes one delimiter byte such as "(" or "]".
func (e *Encoder) Special(b byte) *Encoder {
	if e.err == nil {
		e.err = e.w.WriteByte(b)
	}
	return e
}

// CRLF ends a response line.
func (e *Encoder) CRLF() *Encoder { return e.write("\r\n") }

// Number writes a 32-bit number.
func (e *Encoder) Number(n uint32) *Encoder {
	var buf [10]byte
	return e.writeBytes(strconv.AppendUint(buf[:0], uint64(n), 10))
}

// Number64 writes a 64-bit number.
func (e *Encoder) Number64(n uint64) *Encoder {
	var buf [20]byte
	return e.writeBytes(strconv.AppendUint(buf[:0], n, 10))
}

// NIL writes NIL.
func (e *Encoder) NIL() *Encoder { return e.write("NIL") }

// maxQuoted is the longest string sent quoted; longer ones go as literals,
// which clients read without scanning for escapes.
const maxQuoted = 1024

// canQuote reports whether s can be a quoted string: no CR, LF or NUL, and
// 8-bit only as valid UTF-8 when UTF-8 is allowed.
func (e *Encoder) canQuote(s string) bool {
	if len(s) > maxQuoted {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' || c == 0 || c >= 0x80 && !e.UTF8 {
			return false
		}
	}
	return !e.UTF8 || utf8.ValidString(s)
}

// String writes s as a quoted string when it can be one, else as a literal.
func (e *Encoder) String(s string) *Encoder {
	if !e.canQuote(s) {
		return e.Literal([]byte(s))
	}
	e.Special('"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			e.write(s[start:i]).Special('\\')
			start = i
		}
	}
	return e.write(s[start:]).Special('"')
}

// NString writes s as a string, or NIL when present is false.
func (e *Encoder) NString(s string, present bool) *Encoder {
	if !present {
		return e.NIL()
	}
	return e.String(s)
}

// AString writes s as an atom when it is one, else as a string.
func (e *Encoder) AString(s string) *Encoder {
	if s == "" || len(s) > maxQuoted {
		return e.String(s)
	}
	for i := 0; i < len(s); i++ {
		if !IsAStringChar(s[i]) {
			return e.String(s)
		}
	}
	if len(s) == 3 && (s == "NIL" || s == "nil" || s == "Nil") {
		return e.String(s)
	}
	return e.write(s)
}

// Literal writes b as a literal.
func (e *Encoder) Literal(b []byte) *Encoder {
	e.Special('{').Number64(uint64(len(b))).write("}\r\n")
	return e.writeBytes(b)
}

// Literal8 writes b as a literal8 (RFC 3516), for binary content.
func (e *Encoder) Literal8(b []byte) *Encoder {
	e.write("~{").Number64(uint64(len(b))).write("}\r\n")
	return e.writeBytes(b)
}

// Mailbox writes a mailbox name, in modified UTF-7 unless UTF8 is on.
func (e *Encoder) Mailbox(name string) *Encoder {
	if !e.UTF8 {
		name = EncodeMUTF7(name)
	}
	return e.AString(name)
}

// DateTime writes an internal date ("dd-Mon-yyyy hh:mm:ss +zzzz").
func (e *Encoder) DateTime(t time.Time) *Encoder {
	return e.Special('"').write(t.Format("02-Jan-2006 15:04:05 -0700")).Special('"')
}

// List writes n elements between parentheses, calling item for each.
func (e *Encoder) List(n int, item func(i int)) *Encoder {
	e.Special('(')
	for i := range n {
		if i > 0 {
			e.SP()
		}
		item(i)
	}
	return e.Special(')')
}
