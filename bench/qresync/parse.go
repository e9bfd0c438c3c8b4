package main

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// fetchData is what the benchmark reads from one FETCH response.
type fetchData struct {
	seq      uint32
	uid      uint32
	flags    []string
	hasFlags bool
	modseq   uint64
}

// untagged splits "* <n> <KEYWORD> ..." into n and the keyword (upper
// case) and what follows; ok is false for other lines.
func untagged(line []byte) (n uint32, keyword string, rest []byte, ok bool) {
	rest, found := bytes.CutPrefix(line, []byte("* "))
	if !found || len(rest) == 0 || rest[0] < '0' || rest[0] > '9' {
		return 0, "", nil, false
	}
	num, rest, _ := bytes.Cut(rest, []byte(" "))
	v, err := strconv.ParseUint(string(num), 10, 32)
	if err != nil {
		return 0, "", nil, false
	}
	kw, rest, _ := bytes.Cut(rest, []byte(" "))
	return uint32(v), strings.ToUpper(string(kw)), rest, true
}

// parseFetch parses "* <seq> FETCH (<items>)". ok is false when the line
// is not a FETCH; err is set when it is one that does not parse.
func parseFetch(line []byte) (f fetchData, ok bool, err error) {
	seq, kw, rest, isNum := untagged(line)
	if !isNum || kw != "FETCH" {
		return f, false, nil
	}
	f.seq = seq
	l := &lexer{b: rest}
	if !l.expect('(') {
		return f, true, l.fail("FETCH data does not start with (")
	}
	for l.err == nil {
		name := strings.ToUpper(l.atom())
		if name == "" {
			return f, true, l.fail("no FETCH item name")
		}
		if !l.expect(' ') {
			return f, true, l.fail("no space after " + name)
		}
		switch name {
		case "UID":
			f.uid = uint32(l.number(32))
		case "FLAGS":
			f.flags, f.hasFlags = l.list(), true
		case "MODSEQ":
			if l.expect('(') {
				f.modseq = l.number(63)
				l.expect(')')
			} else {
				l.fail("MODSEQ without (")
			}
		default:
			l.skipValue()
		}
		if l.err != nil {
			break
		}
		if l.expect(')') {
			if l.i != len(l.b) {
				return f, true, l.fail("text after the FETCH data")
			}
			return f, true, nil
		}
		if !l.expect(' ') {
			l.fail("expected space or ) between FETCH items")
		}
	}
	return f, true, l.err
}

// parseVanished parses "* VANISHED [(EARLIER)] <uid-set>".
func parseVanished(line []byte) (earlier bool, uids []uint32, ok bool, err error) {
	rest, found := bytes.CutPrefix(line, []byte("* "))
	if !found {
		return false, nil, false, nil
	}
	kw, rest, _ := bytes.Cut(rest, []byte(" "))
	if !strings.EqualFold(string(kw), "VANISHED") {
		return false, nil, false, nil
	}
	if r, found := cutPrefixFold(rest, "(EARLIER) "); found {
		earlier, rest = true, r
	}
	uids, err = parseUIDSet(string(rest))
	return earlier, uids, true, err
}

// responseCode returns the name (upper case) and argument of the response
// code at the start of text: "[HIGHESTMODSEQ 715] ..." → HIGHESTMODSEQ,
// 715. text is what follows "* OK " or a tag and status.
func responseCode(text []byte) (name, arg string) {
	if len(text) == 0 || text[0] != '[' {
		return "", ""
	}
	end := bytes.IndexByte(text, ']')
	if end < 0 {
		return "", ""
	}
	n, a, _ := bytes.Cut(text[1:end], []byte(" "))
	return strings.ToUpper(string(n)), string(a)
}

// statusCode returns the response code of an untagged status response
// ("* OK [UIDVALIDITY 3857529045] UIDs valid"); name is empty otherwise.
func statusCode(line []byte) (name, arg string) {
	rest, found := bytes.CutPrefix(line, []byte("* "))
	if !found {
		return "", ""
	}
	st, rest, _ := bytes.Cut(rest, []byte(" "))
	switch strings.ToUpper(string(st)) {
	case "OK", "NO", "BAD":
		return responseCode(rest)
	}
	return "", ""
}

// statusHighestModseq reads HIGHESTMODSEQ from a STATUS response:
// "* STATUS INBOX (HIGHESTMODSEQ 7011231777)".
func statusHighestModseq(line []byte) (uint64, bool) {
	rest, ok := cutPrefixFold(line, "* STATUS ")
	if !ok {
		return 0, false
	}
	open := bytes.LastIndexByte(rest, '(')
	if open < 0 || !bytes.HasSuffix(rest, []byte(")")) {
		return 0, false
	}
	f := strings.Fields(string(rest[open+1 : len(rest)-1]))
	for i := 0; i+1 < len(f); i += 2 {
		if strings.EqualFold(f[i], "HIGHESTMODSEQ") {
			v, err := strconv.ParseUint(f[i+1], 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// parseUIDSet expands a UID set without "*" ("3,5:7" → 3 5 6 7).
func parseUIDSet(s string) ([]uint32, error) {
	var out []uint32
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := strconv.ParseUint(lo, 10, 32)
		if err != nil || a == 0 {
			return nil, fmt.Errorf("bad UID set %q", clipString(s))
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 32); err != nil || b == 0 {
				return nil, fmt.Errorf("bad UID set %q", clipString(s))
			}
		}
		if a > b {
			a, b = b, a
		}
		if b-a > 10_000_000 {
			return nil, fmt.Errorf("UID range %q too large", part)
		}
		for u := a; u <= b; u++ {
			out = append(out, uint32(u))
		}
	}
	return out, nil
}

// formatUIDSet writes UIDs as a compact set, ranges for runs: the form a
// server uses in VANISHED and a client in UID commands.
func formatUIDSet(uids []uint32) string {
	s := slices.Clone(uids)
	slices.Sort(s)
	s = slices.Compact(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(s[i]), 10))
		if j > i {
			b.WriteByte(':')
			b.WriteString(strconv.FormatUint(uint64(s[j]), 10))
		}
		i = j + 1
	}
	return b.String()
}

func cutPrefixFold(b []byte, prefix string) ([]byte, bool) {
	if len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix) {
		return b[len(prefix):], true
	}
	return b, false
}

// lexer reads the few IMAP tokens FETCH data needs; the first error
// sticks.
type lexer struct {
	b   []byte
	i   int
	err error
}

func (l *lexer) fail(msg string) error {
	if l.err == nil {
		l.err = fmt.Errorf("%s at offset %d", msg, l.i)
	}
	return l.err
}

func (l *lexer) expect(ch byte) bool {
	if l.err == nil && l.i < len(l.b) && l.b[l.i] == ch {
		l.i++
		return true
	}
	return false
}

// atom reads characters up to a space, parenthesis or the end: an atom,
// a number, a flag (\Seen) or NIL.
func (l *lexer) atom() string {
	start := l.i
	for l.i < len(l.b) && l.b[l.i] != ' ' && l.b[l.i] != '(' && l.b[l.i] != ')' {
		l.i++
	}
	return string(l.b[start:l.i])
}

func (l *lexer) number(bits int) uint64 {
	s := l.atom()
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		l.fail(fmt.Sprintf("bad number %q", s))
	}
	return v
}

// list reads a parenthesised list of atoms, e.g. FLAGS (\Seen $Work).
func (l *lexer) list() []string {
	if !l.expect('(') {
		l.fail("expected (")
		return nil
	}
	var out []string
	for l.err == nil {
		if l.expect(')') {
			return out
		}
		if len(out) > 0 && !l.expect(' ') {
			l.fail("expected space in list")
			return nil
		}
		a := l.atom()
		if a == "" {
			l.fail("empty list item")
			return nil
		}
		out = append(out, a)
	}
	return nil
}

// skipValue skips one value of an item the benchmark did not ask for: an
// atom, a quoted string or a parenthesised list (nested, with strings).
func (l *lexer) skipValue() {
	depth := 0
	for l.i < len(l.b) {
		switch ch := l.b[l.i]; {
		case ch == '"':
			l.i++
			for l.i < len(l.b) && l.b[l.i] != '"' {
				if l.b[l.i] == '\\' {
					l.i++
				}
				l.i++
			}
			l.i++
		case ch == '(':
			depth++
			l.i++
		case ch == ')':
			if depth == 0 {
				return
			}
			depth--
			l.i++
		case ch == ' ' && depth == 0:
			return
		default:
			l.i++
		}
		if depth == 0 && l.i < len(l.b) && (l.b[l.i] == ' ' || l.b[l.i] == ')') {
			return
		}
	}
	if depth > 0 {
		l.fail("unbalanced parentheses")
	}
}

var errNoUID = errors.New("FETCH response without UID")
