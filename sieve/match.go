package sieve

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// comparator is an RFC 4790 collation as Sieve uses it (RFC 5228 §2.7.3).
type comparator struct {
	name string
	// substring is false for comparators that cannot do :contains and
	// :matches (i;ascii-numeric).
	substring bool
	// foldASCII makes character comparison ASCII case-insensitive.
	foldASCII bool
	// order compares two values for equality and for relational tests.
	order func(a, b string) int
	// key, when set, maps both sides to a form compared octet by octet.
	key func(string) string
}

var (
	cmpOctet = &comparator{name: "i;octet", substring: true, order: strings.Compare}
	// i;ascii-casemap is the default comparator.
	cmpCasemap = &comparator{name: "i;ascii-casemap", substring: true, foldASCII: true, order: compareFoldASCII}
	// spec: SV-07
	cmpNumeric = &comparator{name: "i;ascii-numeric", order: compareNumeric}
	// spec: SV-06
	cmpUnicode = &comparator{name: "i;unicode-casemap", substring: true, key: unicodeCasemap,
		order: func(a, b string) int { return strings.Compare(unicodeCasemap(a), unicodeCasemap(b)) }}
)

// unicodeCasemap is RFC 5051's canonical form: each character's titlecase
// mapping, then compatibility decomposition (NFKD). Strings that are not
// UTF-8 are compared as they are.
func unicodeCasemap(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return norm.NFKD.String(strings.Map(unicode.ToTitle, s))
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// compareFoldASCII orders as i;ascii-casemap does (RFC 4790 §9.2.1):
// letters mapped to UPPER case, then octet order. The mapping matters for
// the six characters between 'Z' and 'a': "_" sorts after "a" here, and
// before it under a lower-case mapping.
func compareFoldASCII(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := upperASCII(a[i]), upperASCII(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// compareNumeric implements i;ascii-numeric (RFC 4790 §9.1.1): the leading
// digits are an unbounded unsigned integer; a string that does not start
// with a digit is "positive infinity", equal to any other such string.
func compareNumeric(a, b string) int {
	da, na := leadingDigits(a)
	db, nb := leadingDigits(b)
	switch {
	case !na && !nb:
		return 0
	case !na:
		return 1
	case !nb:
		return -1
	case len(da) != len(db):
		if len(da) < len(db) {
			return -1
		}
		return 1
	}
	return strings.Compare(da, db)
}

func leadingDigits(s string) (string, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return "", false
	}
	return strings.TrimLeft(s[:i], "0"), true
}

type matchKind int

const (
	matchIs matchKind = iota
	matchContains
	matchMatches
	matchValue // relational :value
	matchCount // relational :count; tests call matchCount, not match
)

// matcher holds a test's match type, comparator and keys.
type matcher struct {
	kind   matchKind
	cmp    *comparator
	keys   []value
	consts []string             // the keys mapped by the comparator, when all are constant
	rel    func(order int) bool // :value and :count: the relation
	// capture: a successful :matches sets the match variables (variables).
	capture bool
}

func newMatcher(kind matchKind, cmp *comparator, keys []value) *matcher {
	m := &matcher{kind: kind, cmp: cmp, keys: keys}
	for _, k := range keys {
		if !k.isConst() {
			return m
		}
	}
	m.consts = make([]string, len(keys))
	for i, k := range keys {
		m.consts[i] = m.mapKey(k.lit)
	}
	return m
}

func (m *matcher) mapKey(s string) string {
	if m.cmp.key != nil {
		return m.cmp.key(s)
	}
	return s
}

// match reports whether a value matches any key.
func (m *matcher) match(r *run, v string) bool {
	v = m.mapKey(v)
	if m.consts != nil {
		for _, k := range m.consts {
			if m.matchKey(r, v, k) {
				return true
			}
		}
		return false
	}
	for _, k := range m.keys {
		if m.matchKey(r, v, m.mapKey(k.get(r))) {
			return true
		}
	}
	return false
}

func (m *matcher) matchKey(r *run, v, key string) bool {
	var stop func() bool
	if r != nil && (m.kind == matchContains || m.kind == matchMatches) {
		stop = func() bool { return r.ctx.Err() != nil }
	}
	switch m.kind {
	case matchContains:
		return indexFold(v, key, m.cmp.foldASCII, stop) >= 0
	case matchMatches:
		if m.capture && r != nil {
			// With a comparator that maps values (i;unicode-casemap) the
			// match variables hold parts of the mapped value.
			var caps []span
			if !glob(key, v, m.cmp.foldASCII, m.cmp.key != nil, stop, &caps) {
				return false
			}
			r.setMatch(v, caps)
			return true
		}
		return globMatch(key, v, m.cmp.foldASCII, m.cmp.key != nil, stop)
	case matchValue:
		if m.cmp.key != nil {
			return m.rel(strings.Compare(v, key)) // both already mapped
		}
		return m.rel(m.cmp.order(v, key))
	}
	if m.cmp.foldASCII {
		return equalFoldASCII(v, key)
	}
	if m.cmp == cmpOctet || m.cmp.key != nil {
		return v == key
	}
	return m.cmp.order(v, key) == 0
}

// indexFold finds sub in s, optionally ignoring ASCII case; like
// globMatch it gives up when stop says the run's deadline passed.
func indexFold(s, sub string, fold bool, stop func() bool) int {
	if !fold {
		return strings.Index(s, sub)
	}
	if sub == "" {
		return 0
	}
	first := lowerASCII(sub[0])
	for i := 0; i+len(sub) <= len(s); i++ {
		if i&0xfff == 0xfff && stop != nil && stop() {
			return -1
		}
		if lowerASCII(s[i]) == first && equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// globMatch matches s against a :matches pattern: "*" is any run, "?" one
// character, and a backslash makes the next character literal (RFC 5228
// §2.7.1). A character is an octet for i;octet and i;ascii-casemap and a
// UTF-8 sequence for Unicode comparators (runes). The star retry is the
// usual linear-backtracking scheme, so hostile patterns cost
// O(len(p)*len(s)) at worst; stop, if set, is asked every 64K steps so
// that a run's deadline ends even one huge match (SV-27), which then
// counts as no match and the run fails before its next command.
func globMatch(p, s string, fold, runes bool, stop func() bool) bool {
	return glob(p, s, fold, runes, stop, nil)
}

// span is the part of the value one wildcard matched.
type span struct{ start, end int }

// glob is globMatch that, when caps is not nil, records in (*caps)[k]
// what the k-th wildcard matched, for variables' match variables. Only
// the last star is ever stretched, so earlier wildcards keep the shortest
// match that lets the rest succeed (RFC 5229 §3.2, SV-48).
func glob(p, s string, fold, runes bool, stop func() bool, caps *[]span) bool {
	steps := 0
	wild, starK := 0, -1 // wildcards passed in p; the index of the last star

	charLen := func(s string) int {
		if !runes {
			return 1
		}
		_, n := utf8.DecodeRuneInString(s)
		return n
	}
	px, sx := 0, 0
	starP, starS, starW := -1, 0, 0
	for px < len(p) || sx < len(s) {
		if steps++; steps&0xffff == 0 && stop != nil && stop() {
			return false
		}
		if px < len(p) {
			c := p[px]
			switch c {
			case '*':
				starP, starS, starK = px+1, sx, wild
				wild++
				starW = wild
				if caps != nil {
					setSpan(caps, starK, span{sx, sx})
				}
				px++
				continue
			case '?':
				if sx < len(s) {
					n := charLen(s[sx:])
					if caps != nil {
						setSpan(caps, wild, span{sx, sx + n})
					}
					wild++
					px++
					sx += n
					continue
				}
			default:
				n := 1
				if c == '\\' && px+1 < len(p) {
					c, n = p[px+1], 2
				}
				if sx < len(s) && (s[sx] == c || fold && lowerASCII(s[sx]) == lowerASCII(c)) {
					px += n
					sx++
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			starS += charLen(s[starS:])
			px, sx, wild = starP, starS, starW
			if caps != nil {
				(*caps)[starK].end = starS
			}
			continue
		}
		return false
	}
	return true
}

func setSpan(caps *[]span, k int, sp span) {
	for len(*caps) <= k {
		*caps = append(*caps, span{})
	}
	(*caps)[k] = sp
}
