package mimeinfo

import "strings"

// Address lists are parsed with RFC 5322's grammar, obsolete forms included,
// and then some: whatever the header holds, every name or address in it
// comes out as something an IMAP client can show. The rules for the gaps
// follow Dovecot's (MissingMailbox, MissingDomain, a lone word is a mailbox,
// several words are a name).

// Token kinds; specials are their own byte.
const (
	tEnd    = 0
	tAtom   = 'a' // atom, or domain literal "[…]"
	tQuoted = 'q' // quoted string; text is its unescaped content
)

type atok struct {
	kind       byte
	text       string
	start, end int  // where the token is in the lexer's string
	space      bool // blanks or a comment come before it
}

type alex struct {
	s       string
	i       int
	comment string // the last comment skipped
}

func isAtomEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '(', ')', '<', '>', '[', ']', ':', ';', '@', ',', '.', '"':
		return true
	}
	return false
}

func (l *alex) skipCFWS() {
	s := l.s
	for l.i < len(s) {
		switch c := s[l.i]; {
		case isBlank(c):
			l.i++
		case c == '(':
			j := skipComment(s, l.i)
			inner := s[l.i+1 : j]
			if strings.HasSuffix(inner, ")") {
				inner = inner[:len(inner)-1]
			}
			l.comment = trimBlanks(inner)
			l.i = j
		default:
			return
		}
	}
}

func (l *alex) next() atok {
	before := l.i
	l.skipCFWS()
	t := atok{start: l.i, end: l.i, space: l.i > before}
	s := l.s
	if l.i >= len(s) {
		return t
	}
	switch c := s[l.i]; c {
	case '"':
		t.kind = tQuoted
		t.text, l.i = quoted(s, l.i)
	case '.', '<', '>', '@', ',', ';', ':':
		t.kind = c
		l.i++
	case '[':
		t.kind = tAtom
		if j := strings.IndexByte(s[l.i:], ']'); j >= 0 {
			l.i += j + 1
		} else {
			l.i = len(s)
		}
		t.text = s[t.start:l.i]
	default:
		t.kind = tAtom
		l.i++ // a stray ')' or ']' is a one-byte atom
		if c != ')' && c != ']' {
			for l.i < len(s) && !isAtomEnd(s[l.i]) {
				l.i++
			}
		}
		t.text = s[t.start:l.i]
	}
	t.end = l.i
	return t
}

func (l *alex) peek() byte {
	i, c := l.i, l.comment
	t := l.next()
	l.i, l.comment = i, c
	return t.kind
}

func isWord(k byte) bool { return k == tAtom || k == tQuoted || k == '.' }

type addrParser struct {
	lex   alex
	out   []Address
	hint  int // capacity to give out
	count int // mailboxes and group starts emitted
}

// parseAddressList parses an address header value. It never fails: the
// worst input yields nil.
func parseAddressList(s string) []Address {
	// Usually one allocation for the list, sized by its separators.
	p := addrParser{lex: alex{s: s}, hint: min(64, 1+strings.Count(s, ",")+2*strings.Count(s, ":"))}
	var buf [8]atok
	inGroup, marked := false, false
	for {
		words := buf[:0]
		var t atok
		for t = p.lex.next(); isWord(t.kind); t = p.lex.next() {
			words = append(words, t)
		}
		switch t.kind {
		case ':':
			if inGroup {
				continue // groups do not nest: drop the phrase
			}
			inGroup = true
			name := p.phrase(words)
			marked = name != "" && p.emit(Address{Mailbox: name})
		case '<':
			a, hasLocal := p.angle()
			a.Name = p.phrase(words)
			p.skipJunk()
			p.emit(fill(a, hasLocal))
		case '@':
			k := splitLocal(words)
			a := Address{Name: p.phrase(words[:k])}
			local, hasLocal := p.tight(words[k:])
			a.Mailbox = local
			p.lex.comment = ""
			a.Host = p.domain()
			p.skipJunk()
			if a.Name == "" {
				a.Name = p.lex.comment
			}
			p.emit(fill(a, hasLocal))
		default: // ',', ';', '>' or the end
			if a, ok := p.phraseOnly(words); ok {
				p.emit(a)
			}
			if (t.kind == ';' || t.kind == tEnd) && inGroup {
				if marked {
					p.out = append(p.out, Address{})
				}
				inGroup = false
			}
			if t.kind == tEnd {
				return p.out
			}
		}
	}
}

// splitLocal returns where the local part starts in words that come before
// an '@': the last run of words not separated by blanks (dots join across
// blanks, as obsolete syntax allows). Words before it are a display name.
func splitLocal(words []atok) int {
	k := len(words) - 1
	for k > 0 && (!words[k].space || words[k].kind == '.' || words[k-1].kind == '.') {
		k--
	}
	if k < 0 {
		return 0
	}
	return k
}

func (p *addrParser) emit(a Address) bool {
	if p.count >= maxAddresses {
		return false
	}
	p.count++
	if p.out == nil {
		p.out = make([]Address, 0, p.hint)
	}
	p.out = append(p.out, a)
	return true
}

// fill puts the placeholders into a mailbox without a local part or host.
func fill(a Address, hasLocal bool) Address {
	if !hasLocal {
		a.Mailbox = MissingMailbox
	}
	if a.Host == "" {
		a.Host = MissingDomain
	}
	return a
}

// phraseOnly turns words that were followed by no address into one: a
// single atom is taken for a mailbox without a domain, anything else for a
// name without an address.
func (p *addrParser) phraseOnly(words []atok) (Address, bool) {
	if len(words) == 1 && words[0].kind == tAtom {
		return Address{Mailbox: words[0].text, Host: MissingDomain}, true
	}
	name := p.phrase(words)
	return Address{Name: name, Mailbox: MissingMailbox, Host: MissingDomain}, name != ""
}

// phrase returns words as a display name: joined by one space where the
// header had blanks or comments between them, quoted strings unquoted.
func (p *addrParser) phrase(words []atok) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0].text
	}
	s := p.lex.s
	plain := true
	for i, w := range words {
		if w.kind == tQuoted {
			plain = false
			break
		}
		if i > 0 {
			gap := s[words[i-1].end:w.start]
			if (w.space && gap != " ") || (!w.space && gap != "") {
				plain = false
				break
			}
		}
	}
	if plain {
		return s[words[0].start:words[len(words)-1].end]
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 && w.space {
			b.WriteByte(' ')
		}
		if w.kind == '.' {
			b.WriteByte('.')
		} else {
			b.WriteString(w.text)
		}
	}
	return b.String()
}

// tight joins words with nothing between them, as in a local part or a
// domain; ok is false when there are no words.
func (p *addrParser) tight(words []atok) (string, bool) {
	switch len(words) {
	case 0:
		return "", false
	case 1:
		if words[0].kind == '.' {
			return ".", true
		}
		return words[0].text, true
	}
	contiguous := true
	for i, w := range words {
		if w.kind == tQuoted || (i > 0 && words[i-1].end != w.start) {
			contiguous = false
			break
		}
	}
	if contiguous {
		return p.lex.s[words[0].start:words[len(words)-1].end], true
	}
	var b strings.Builder
	for _, w := range words {
		if w.kind == '.' {
			b.WriteByte('.')
		} else {
			b.WriteString(w.text)
		}
	}
	return b.String(), true
}

// domain reads a domain after '@': atoms and dots up to the first blank
// that is not next to a dot.
func (p *addrParser) domain() string {
	var buf [8]atok
	words := buf[:0]
	for {
		i, c := p.lex.i, p.lex.comment
		t := p.lex.next()
		if !isWord(t.kind) || (len(words) > 0 && t.space && t.kind != '.' && words[len(words)-1].kind != '.') {
			p.lex.i, p.lex.comment = i, c
			break
		}
		words = append(words, t)
	}
	d, _ := p.tight(words)
	return d
}

// angle reads an angle address after its '<', through the '>' if there is
// one: an optional source route, the local part, '@' and the domain.
func (p *addrParser) angle() (a Address, hasLocal bool) {
	if p.lex.peek() == '@' {
		var route strings.Builder
		last := ""
		for p.lex.peek() == '@' {
			p.lex.next()
			last = p.domain()
			if route.Len() > 0 {
				route.WriteByte(',')
			}
			route.WriteByte('@')
			route.WriteString(last)
			for p.lex.peek() == ',' {
				p.lex.next()
			}
		}
		if p.lex.peek() != ':' {
			// "<@host>": no local part at all.
			a.Host = last
			if p.lex.peek() == '>' {
				p.lex.next()
			}
			return a, false
		}
		p.lex.next()
		a.ADL = route.String()
	}
	var buf [8]atok
	words := buf[:0]
	for {
		i, c := p.lex.i, p.lex.comment
		t := p.lex.next()
		if !isWord(t.kind) {
			p.lex.i, p.lex.comment = i, c
			break
		}
		words = append(words, t)
	}
	a.Mailbox, hasLocal = p.tight(words)
	if p.lex.peek() == '@' {
		p.lex.next()
		a.Host = p.domain()
	}
	if p.lex.peek() == '>' {
		p.lex.next()
	}
	return a, hasLocal
}

// skipJunk skips whatever follows an address up to the next ',' or ';'.
func (p *addrParser) skipJunk() {
	for {
		i := p.lex.i
		t := p.lex.next()
		if t.kind == ',' || t.kind == ';' || t.kind == tEnd {
			p.lex.i = i
			return
		}
	}
}
