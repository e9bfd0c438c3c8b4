package managesieve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The ManageSieve wire format (RFC 5804 §4): a command is an atom followed
// by arguments, each a quoted string, a literal or a number, and CRLF.
// Clients send literals as {n+} (RFC 5804 §4, literal-c2s); {n} is accepted
// the same way, without a continuation, as Dovecot and Cyrus do.

type argKind uint8

const (
	argString argKind = iota + 1
	argNumber
	argAtom
)

type arg struct {
	kind argKind
	s    string
	n    uint64
}

// syntaxError is a command the client got wrong; the session answers NO and
// reads on. Any other decoder error ends the session.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

// errLiteralTooLarge is a literal over maxLiteral that was read and thrown
// away; the command is answered NO (QUOTA/MAXSIZE).
var errLiteralTooLarge = errors.New("literal too large")

const (
	maxLineBytes = 8 << 10 // a command without its literals
	maxArgs      = 8
	maxQuoted    = 1024 // RFC 5804 §4 limits quoted strings to 1024 octets
)

type decoder struct {
	r          *bufio.Reader
	maxLiteral int64 // bounds the literals of one command together
	line       int   // non-literal bytes read for the current command
	literals   int64 // literal bytes read for the current command
}

func (d *decoder) readByte() (byte, error) {
	b, err := d.r.ReadByte()
	if err != nil {
		return 0, err
	}
	d.line++
	if d.line > maxLineBytes {
		return 0, &syntaxError{"command line too long"}
	}
	return b, nil
}

func (d *decoder) peek() (byte, error) {
	b, err := d.r.Peek(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// skipLine discards the rest of the current line after a syntax error.
func (d *decoder) skipLine() error {
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			return err
		}
		if b == '\n' {
			return nil
		}
	}
}

// readCommand reads one command: its name (upper-cased) and arguments.
// Empty lines are skipped.
func (d *decoder) readCommand() (string, []arg, error) {
	d.line, d.literals = 0, 0
	var name []byte
	for {
		b, err := d.peek()
		if err != nil {
			return "", nil, err
		}
		if len(name) == 0 && (b == '\r' || b == '\n') {
			if err := d.endOfLine(); err != nil {
				return "", nil, err
			}
			d.line = 0
			continue
		}
		if !isAtomChar(b) {
			break
		}
		d.readByte()
		name = append(name, b)
		if len(name) > 64 {
			return "", nil, &syntaxError{"command name too long"}
		}
	}
	if len(name) == 0 {
		return "", nil, &syntaxError{"expected a command name"}
	}
	args, err := d.readArgs()
	return strings.ToUpper(string(name)), args, err
}

// readArgs reads " arg" until CRLF.
func (d *decoder) readArgs() ([]arg, error) {
	var args []arg
	for {
		b, err := d.peek()
		if err != nil {
			return nil, err
		}
		switch b {
		case '\r', '\n':
			return args, d.endOfLine()
		case ' ':
			d.readByte()
		default:
			return nil, &syntaxError{fmt.Sprintf("unexpected %q in arguments", b)}
		}
		if len(args) == maxArgs {
			return nil, &syntaxError{"too many arguments"}
		}
		a, err := d.readArg()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
}

func (d *decoder) endOfLine() error {
	b, err := d.readByte()
	if err != nil {
		return err
	}
	if b == '\r' {
		if b, err = d.readByte(); err != nil {
			return err
		}
	}
	if b != '\n' {
		return &syntaxError{"expected CRLF"}
	}
	return nil
}

func (d *decoder) readArg() (arg, error) {
	b, err := d.peek()
	if err != nil {
		return arg{}, err
	}
	switch {
	case b == '"':
		s, err := d.readQuoted()
		return arg{kind: argString, s: s}, err
	case b == '{':
		s, err := d.readLiteral()
		return arg{kind: argString, s: s}, err
	case '0' <= b && b <= '9':
		var digits []byte
		for {
			b, err := d.peek()
			if err != nil {
				return arg{}, err
			}
			if b < '0' || b > '9' {
				break
			}
			d.readByte()
			digits = append(digits, b)
		}
		n, err := strconv.ParseUint(string(digits), 10, 32)
		if err != nil {
			return arg{}, &syntaxError{"number out of range"}
		}
		return arg{kind: argNumber, n: n, s: string(digits)}, nil
	case isAtomChar(b):
		var atom []byte
		for {
			b, err := d.peek()
			if err != nil {
				return arg{}, err
			}
			if !isAtomChar(b) {
				break
			}
			d.readByte()
			atom = append(atom, b)
		}
		return arg{kind: argAtom, s: string(atom)}, nil
	}
	return arg{}, &syntaxError{fmt.Sprintf("unexpected %q in arguments", b)}
}

// readQuoted reads a quoted string: UTF-8 without CR, LF or NUL, with \"
// and \\ as the only escapes.
func (d *decoder) readQuoted() (string, error) {
	d.readByte() // the opening quote
	var s []byte
	for {
		b, err := d.readByte()
		if err != nil {
			return "", err
		}
		switch b {
		case '"':
			if !utf8.Valid(s) {
				return "", &syntaxError{"quoted string is not UTF-8"}
			}
			return string(s), nil
		case '\\':
			if b, err = d.readByte(); err != nil {
				return "", err
			}
			if b != '"' && b != '\\' {
				return "", &syntaxError{"bad escape in quoted string"}
			}
		case '\r', '\n', 0:
			if b == '\n' {
				d.r.UnreadByte() // lets skipLine find the end of this line
			}
			return "", &syntaxError{"unterminated quoted string"}
		}
		s = append(s, b)
		if len(s) > maxQuoted {
			return "", &syntaxError{"quoted string too long; use a literal"}
		}
	}
}

// readLiteral reads {n+}CRLF or {n}CRLF and the n octets after it.
func (d *decoder) readLiteral() (string, error) {
	d.readByte() // '{'
	var n int64
	digits := 0
	for {
		b, err := d.readByte()
		if err != nil {
			return "", err
		}
		if b < '0' || b > '9' {
			if b == '+' {
				if b, err = d.readByte(); err != nil {
					return "", err
				}
			}
			if b != '}' || digits == 0 {
				return "", &syntaxError{"bad literal size"}
			}
			break
		}
		digits++
		if digits > 12 {
			return "", &syntaxError{"literal size too large"}
		}
		n = n*10 + int64(b-'0')
	}
	if err := d.endOfLine(); err != nil {
		return "", err
	}
	if n > d.maxLiteral-d.literals {
		if _, err := io.CopyN(io.Discard, d.r, n); err != nil {
			return "", err
		}
		return "", errLiteralTooLarge
	}
	d.literals += n
	buf := make([]byte, n)
	if _, err := io.ReadFull(d.r, buf); err != nil {
		return "", err
	}
	return string(buf), nil
}

func isAtomChar(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_' || b == '.'
}

// encoder writes responses.
type encoder struct{ w *bufio.Writer }

func (e *encoder) raw(s string) *encoder {
	e.w.WriteString(s)
	return e
}

func (e *encoder) crlf() *encoder { return e.raw("\r\n") }

// str writes s as a quoted string when it can be one, else as a literal.
func (e *encoder) str(s string) *encoder {
	if len(s) <= maxQuoted && utf8.ValidString(s) && !strings.ContainsAny(s, "\r\n\x00") {
		e.w.WriteByte('"')
		for i := range len(s) {
			if s[i] == '"' || s[i] == '\\' {
				e.w.WriteByte('\\')
			}
			e.w.WriteByte(s[i])
		}
		e.w.WriteByte('"')
		return e
	}
	return e.literal(s)
}

func (e *encoder) literal(s string) *encoder {
	fmt.Fprintf(e.w, "{%d}\r\n", len(s))
	return e.raw(s)
}
