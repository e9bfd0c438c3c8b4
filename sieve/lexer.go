package sieve

import (
	"fmt"
	"strings"
)

// tokenKind is the lexical class of a token (RFC 5228 §8.1).
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdentifier
	tokTag
	tokNumber
	tokString // quoted or multi-line; the value is already unescaped
	tokLBracket
	tokRBracket
	tokLParen
	tokRParen
	tokLBrace
	tokRBrace
	tokComma
	tokSemicolon
)

func (k tokenKind) String() string {
	switch k {
	case tokEOF:
		return "end of script"
	case tokIdentifier:
		return "identifier"
	case tokTag:
		return "tag"
	case tokNumber:
		return "number"
	case tokString:
		return "string"
	case tokLBracket:
		return `"["`
	case tokRBracket:
		return `"]"`
	case tokLParen:
		return `"("`
	case tokRParen:
		return `")"`
	case tokLBrace:
		return `"{"`
	case tokRBrace:
		return `"}"`
	case tokComma:
		return `","`
	case tokSemicolon:
		return `";"`
	}
	return "token"
}

// Pos is a 1-based line and column in the script; columns count bytes.
type Pos struct{ Line, Column int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

type token struct {
	kind tokenKind
	pos  Pos
	text string // identifier and tag names in lower case, string values unescaped
	num  uint64
}

// maxNumber bounds numbers so that size comparisons never overflow; RFC
// 5228 §8.1 asks for at least 2^31-1.
const maxNumber = 1<<63 - 1

// lexer turns a script into tokens. It stops at the first error, because
// after a bad string or comment every later position is meaningless.
type lexer struct {
	src  string
	off  int
	line int
	col  int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1} }

func (l *lexer) pos() Pos { return Pos{l.line, l.col} }

func (l *lexer) errorf(p Pos, format string, args ...any) error {
	return &Error{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)}
}

// advance moves past n bytes, keeping line and column current.
func (l *lexer) advance(n int) {
	for i := 0; i < n && l.off < len(l.src); i++ {
		if l.src[l.off] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.off++
	}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipSpace skips white space and both comment forms.
func (l *lexer) skipSpace() error {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			l.advance(1)
		case c == '#':
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.advance(1)
			}
		case c == '/' && strings.HasPrefix(l.src[l.off:], "/*"):
			start := l.pos()
			end := strings.Index(l.src[l.off+2:], "*/")
			if end < 0 {
				return l.errorf(start, "unterminated comment")
			}
			l.advance(end + 4)
		default:
			return nil
		}
	}
	return nil
}

func (l *lexer) next() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	p := l.pos()
	if l.off >= len(l.src) {
		return token{kind: tokEOF, pos: p}, nil
	}
	c := l.src[l.off]
	if k := punctuation(c); k != tokEOF {
		l.advance(1)
		return token{kind: k, pos: p}, nil
	}
	switch {
	case c == '"':
		s, err := l.quoted()
		return token{kind: tokString, pos: p, text: s}, err
	case c == ':':
		l.advance(1)
		if l.off >= len(l.src) || !(isAlpha(l.src[l.off]) || l.src[l.off] == '_') {
			return token{}, l.errorf(p, `expected a tag name after ":"`)
		}
		return token{kind: tokTag, pos: p, text: l.identifier()}, nil
	case isAlpha(c) || c == '_':
		id := l.identifier()
		if id == "text" && l.off < len(l.src) && l.src[l.off] == ':' {
			l.advance(1)
			s, err := l.multiline(p)
			return token{kind: tokString, pos: p, text: s}, err
		}
		return token{kind: tokIdentifier, pos: p, text: id}, nil
	case isDigit(c):
		n, err := l.number(p)
		return token{kind: tokNumber, pos: p, num: n}, err
	}
	return token{}, l.errorf(p, "unexpected character %q", rune(c))
}

// punctuation returns the kind of a one-character token, or tokEOF.
func punctuation(c byte) tokenKind {
	switch c {
	case '[':
		return tokLBracket
	case ']':
		return tokRBracket
	case '(':
		return tokLParen
	case ')':
		return tokRParen
	case '{':
		return tokLBrace
	case '}':
		return tokRBrace
	case ',':
		return tokComma
	case ';':
		return tokSemicolon
	}
	return tokEOF
}

func (l *lexer) identifier() string {
	start := l.off
	for l.off < len(l.src) {
		c := l.src[l.off]
		if !(isAlpha(c) || isDigit(c) || c == '_') {
			break
		}
		l.advance(1)
	}
	return strings.ToLower(l.src[start:l.off])
}

func (l *lexer) number(p Pos) (uint64, error) {
	var n uint64
	for l.off < len(l.src) && isDigit(l.src[l.off]) {
		d := uint64(l.src[l.off] - '0')
		if n > (maxNumber-d)/10 {
			return 0, l.errorf(p, "number too large")
		}
		n = n*10 + d
		l.advance(1)
	}
	if l.off < len(l.src) {
		var shift uint
		switch l.src[l.off] {
		case 'k', 'K':
			shift = 10
		case 'm', 'M':
			shift = 20
		case 'g', 'G':
			shift = 30
		}
		if shift > 0 {
			if n > maxNumber>>shift {
				return 0, l.errorf(p, "number too large")
			}
			n <<= shift
			l.advance(1)
		}
	}
	if l.off < len(l.src) && (isAlpha(l.src[l.off]) || l.src[l.off] == '_') {
		return 0, l.errorf(l.pos(), "unexpected character %q after number", rune(l.src[l.off]))
	}
	return n, nil
}

// quoted reads a quoted string. Only \\ and \" are escapes; any other
// backslash is dropped and the character after it kept (RFC 5228 §2.4.2).
func (l *lexer) quoted() (string, error) {
	start := l.pos()
	l.advance(1)
	var b strings.Builder
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch c {
		case '"':
			l.advance(1)
			return b.String(), nil
		case 0:
			return "", l.errorf(l.pos(), "NUL character in string (use encoded-character)")
		case '\\':
			if l.off+1 >= len(l.src) {
				return "", l.errorf(start, "unterminated string")
			}
			if l.src[l.off+1] == 0 {
				return "", l.errorf(l.pos(), "NUL character in string (use encoded-character)")
			}
			b.WriteByte(l.src[l.off+1])
			l.advance(2)
		default:
			b.WriteByte(c)
			l.advance(1)
		}
	}
	return "", l.errorf(start, "unterminated string")
}

// multiline reads the rest of a text: string. The value keeps CRLF line
// ends (bare LF in the script is read as CRLF) and loses one leading dot on
// lines that start with "..".
func (l *lexer) multiline(start Pos) (string, error) {
	for l.off < len(l.src) && (l.src[l.off] == ' ' || l.src[l.off] == '\t') {
		l.advance(1)
	}
	if l.off < len(l.src) && l.src[l.off] == '#' {
		for l.off < len(l.src) && l.src[l.off] != '\n' {
			l.advance(1)
		}
	}
	if strings.HasPrefix(l.src[l.off:], "\r\n") {
		l.advance(2)
	} else if strings.HasPrefix(l.src[l.off:], "\n") {
		l.advance(1)
	} else {
		return "", l.errorf(l.pos(), `expected end of line after "text:"`)
	}
	var b strings.Builder
	for l.off < len(l.src) {
		end := strings.IndexByte(l.src[l.off:], '\n')
		if end < 0 {
			// The closing dot may be the last byte of the script.
			if strings.TrimSuffix(l.src[l.off:], "\r") == "." {
				l.advance(len(l.src) - l.off)
				return b.String(), nil
			}
			break
		}
		line := strings.TrimSuffix(l.src[l.off:l.off+end], "\r")
		l.advance(end + 1)
		if line == "." {
			return b.String(), nil
		}
		if strings.IndexByte(line, 0) >= 0 {
			return "", l.errorf(Pos{l.line - 1, 1}, "NUL character in string (use encoded-character)")
		}
		if strings.HasPrefix(line, ".") {
			line = line[1:]
		}
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return "", l.errorf(start, `unterminated multi-line string (missing "." line)`)
}
