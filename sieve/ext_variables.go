package sieve

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds of the variables extension (RFC 5229 §6 asks for at least 128
// variables, 32-character names and 4000-octet values). With names known
// when compiling, one run holds at most maxVariables*maxVarSize octets of
// variables plus ten match variables. spec: SV-50
const (
	maxVariables   = 255
	maxVarNameLen  = 64
	maxVarSize     = 4096
	maxMatchVars   = 10 // ${0}..${9}
	groupCase      = "case modifier"
	groupCaseFirst = "first-letter case modifier"
)

// extVariables is variables (RFC 5229): set, the string test, and ${...}
// in every string argument through compiler.expand. spec: SV-46..SV-50
var extVariables = extension{
	name: "variables",
	specs: []*spec{
		{name: "set", tags: []tagSpec{
			// Tags of one precedence exclude each other (RFC 5229 §4.1).
			{name: "lower", group: groupCase},
			{name: "upper", group: groupCase},
			{name: "lowerfirst", group: groupCaseFirst},
			{name: "upperfirst", group: groupCaseFirst},
			{name: "quotewildcard"},
			{name: "length"},
		}, args: []argType{argString, argString}, buildCmd: buildSet},
		{name: "string", test: true, tags: matchTags, args: []argType{argStrings, argStrings},
			buildTest: buildString},
	},
	setup: func(c *compiler) {
		c.vars = &varTable{index: map[string]int{}}
		c.expand = c.expandVariables
	},
}

// varTable gives every variable name a script uses an index into
// run.vars; names are case-insensitive (RFC 5229 §3).
type varTable struct{ index map[string]int }

// slot returns the index of a name, adding it; false when the script
// uses more than maxVariables names.
func (t *varTable) slot(name string) (int, bool) {
	key := strings.ToLower(name)
	if i, ok := t.index[key]; ok {
		return i, true
	}
	if len(t.index) >= maxVariables {
		return 0, false
	}
	t.index[key] = len(t.index)
	return t.index[key], true
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && (i == 0 || !isDigit(c)) {
			return false
		}
	}
	return true
}

// varName checks a name that set or an imap4flags command stores into and
// returns its slot; it reports an error and returns false otherwise.
func (c *compiler) varName(p Pos, name string) (int, bool) {
	switch {
	case strings.Contains(name, ".") && !strings.Contains(name, "${"):
		if slot, ok, handled := c.namespacedVar(p, name); handled {
			return slot, ok
		}
		c.errorf(p, "variable %q is in a namespace no required extension provides", name)
		return 0, false
	case !isIdentifier(name):
		c.errorf(p, "%q is not a valid variable name (letters, digits and \"_\", not starting with a digit)", name)
		return 0, false
	case len(name) > maxVarNameLen:
		c.errorf(p, "variable name %q is longer than %d characters", name, maxVarNameLen)
		return 0, false
	}
	if slot, ok := c.globalVar(name); ok {
		return slot, true
	}
	i, ok := c.vars.slot(name)
	if !ok {
		c.errorf(p, "more than %d variables", maxVariables)
	}
	return i, ok
}

// varPart is a piece of a string with references: a literal, a variable
// (slot != noSlot; negative for a global, see globalSlot) or a match
// variable (match >= 0).
type varPart struct {
	lit         string
	slot, match int
}

const noSlot = math.MinInt

// expandVariables parses the references of a string once, when compiling
// (SV-46): "${" name "}" with a valid name is replaced, anything else
// stays literal. It returns nil for a string without references.
func (c *compiler) expandVariables(lit string) func(r *run) string {
	parts := c.varParts(lit, true)
	if parts == nil {
		return nil
	}
	return func(r *run) string {
		var b strings.Builder
		for _, p := range parts {
			switch {
			case p.slot != noSlot:
				b.WriteString(r.variable(p.slot))
			case p.match >= 0:
				if p.match < len(r.matchVars) {
					b.WriteString(r.matchVars[p.match])
				}
			default:
				b.WriteString(p.lit)
			}
		}
		return b.String()
	}
}

// varParts splits a string into literals and references; nil if it has
// none. report says whether to report bad references (the first parse of
// a string does; a second one for the same string stays quiet).
func (c *compiler) varParts(lit string, report bool) []varPart {
	var parts []varPart
	start := 0
	for i := 0; i+1 < len(lit); {
		if lit[i] != '$' || lit[i+1] != '{' {
			i++
			continue
		}
		end := strings.IndexByte(lit[i+2:], '}')
		if end < 0 {
			break
		}
		part, ok := c.reference(lit[i+2:i+2+end], report)
		if !ok {
			i++ // not a reference: "$" is literal and "{" may start none
			continue
		}
		parts = append(parts, varPart{lit: lit[start:i], slot: noSlot, match: -1}, part)
		i += 2 + end + 1
		start = i
	}
	if parts == nil {
		return nil
	}
	return append(parts, varPart{lit: lit[start:], slot: noSlot, match: -1})
}

// taintOf returns a function telling whether a string's value at run time
// holds data from the message: a match variable, or a variable set from
// one (NA-51). enotify installs it as compiler.taint, and only when
// variables is required too, so other scripts pay nothing.
func (c *compiler) taintOf(lit string) func(r *run) bool {
	var match bool
	var slots []int
	for _, p := range c.varParts(lit, false) {
		switch {
		case p.match >= 0:
			match = true
		case p.slot != noSlot:
			slots = append(slots, p.slot)
		}
	}
	if match {
		return func(*run) bool { return true }
	}
	if slots == nil {
		return nil
	}
	return func(r *run) bool {
		for _, i := range slots {
			if r.tainted(i) {
				return true
			}
		}
		return false
	}
}

// reference parses what is between "${" and "}".
func (c *compiler) reference(name string, report bool) (varPart, bool) {
	if !report {
		// A second parse of a string the first already reported on.
		n := len(c.errs)
		defer func() { c.errs = c.errs[:n] }()
	}
	errorf := c.errorf
	part := varPart{slot: noSlot, match: -1}
	if name != "" && strings.Trim(name, "0123456789") == "" {
		n, err := strconv.Atoi(strings.TrimLeft(name, "0") + "0")
		if err != nil || n/10 >= maxMatchVars {
			// spec: SV-48 — only ${0}..${9} exist.
			errorf(c.at, "match variable ${%s} does not exist, only ${0} to ${%d}", name, maxMatchVars-1)
			return part, false
		}
		part.match = n / 10
		return part, true
	}
	if ns, _, ok := strings.Cut(name, "."); ok {
		if slot, ok, handled := c.namespacedVar(c.at, name); handled {
			part.slot = slot
			return part, ok
		}
		if isIdentifier(ns) && validSubNames(name[len(ns)+1:]) {
			// spec: SV-50 — no namespace is implemented, so none is required.
			errorf(c.at, "variable ${%s}: namespace %q needs an extension zest does not implement", name, ns)
		}
		return part, false
	}
	if !isIdentifier(name) || len(name) > maxVarNameLen {
		return part, false
	}
	if slot, ok := c.globalVar(name); ok {
		part.slot = slot
		return part, true
	}
	i, ok := c.vars.slot(name)
	if !ok {
		errorf(c.at, "more than %d variables", maxVariables)
		return part, false
	}
	part.slot = i
	return part, true
}

// validSubNames checks the rest of a namespaced name: identifiers or
// numbers joined by ".".
func validSubNames(s string) bool {
	for _, n := range strings.Split(s, ".") {
		if !isIdentifier(n) && (n == "" || strings.Trim(n, "0123456789") != "") {
			return false
		}
	}
	return true
}

func (r *run) variable(i int) string {
	if i < 0 {
		if g := -1 - i; g < len(r.globals) {
			return r.globals[g]
		}
		return ""
	}
	if i < len(r.vars) {
		return r.vars[i]
	}
	return ""
}

// setVariable stores a value; it is untainted unless the caller marks it
// (taintVariable) right after.
func (r *run) setVariable(i int, v string) {
	v = truncateUTF8(v, maxVarSize)
	if i < 0 {
		// Global variables (RFC 6609 §3.4): one table for the whole run.
		if r.globals == nil {
			r.globals = make([]string, len(r.s.inc.globals.index))
		}
		r.globals[-1-i] = v
	} else {
		if r.vars == nil {
			r.vars = make([]string, r.s.nvars)
		}
		r.vars[i] = v
	}
	if r.varTaint != nil {
		delete(r.varTaint, i)
	}
}

// taintVariable marks variable i (a global when negative) as holding
// message data (NA-51).
func (r *run) taintVariable(i int) {
	if r.varTaint == nil {
		r.varTaint = map[int]bool{}
	}
	r.varTaint[i] = true
}

func (r *run) tainted(i int) bool { return r.varTaint[i] }

// setMatch replaces the match variables after a successful :matches:
// ${0} is the whole value, ${N} the N-th wildcard's part, and those
// beyond the pattern's wildcards become empty (RFC 5229 §3.2).
func (r *run) setMatch(v string, caps []span) {
	mv := make([]string, 0, maxMatchVars)
	mv = append(mv, truncateUTF8(v, maxVarSize))
	for _, sp := range caps {
		if len(mv) == maxMatchVars {
			break
		}
		mv = append(mv, truncateUTF8(v[sp.start:sp.end], maxVarSize))
	}
	r.matchVars = mv
}

// truncateUTF8 shortens s to at most n octets without splitting a UTF-8
// sequence: a value too long is cut, not an error (SV-50).
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

func buildSet(c *compiler, a *call) cmdFunc {
	slot, ok := c.varName(a.args[0].Pos, a.str(0))
	if !ok {
		return nil
	}
	val := c.val(a, 1)
	if val.isConst() && len(val.lit) > maxVarSize {
		// RFC 5229 §6: too long a value is an error when it can be known
		// while compiling; only values computed at run time are cut.
		c.errorf(a.args[1].Pos, "value of %d bytes is longer than a variable holds (%d)", len(val.lit), maxVarSize)
		return nil
	}
	lower, upper := a.has("lower"), a.has("upper")
	lowerFirst, upperFirst := a.has("lowerfirst"), a.has("upperfirst")
	quote, length := a.has("quotewildcard"), a.has("length")
	encode := a.has("encodeurl") // enotify adds the tag (RFC 5435 §6)
	return func(r *run) error {
		// spec: SV-47, SV-62 — by precedence: case (40), first letter
		// (30), :quotewildcard (20), :encodeurl (15), :length (10).
		v := val.get(r)
		// NA-51: message data stays marked through set; a length is a
		// number, not the data.
		tainted := !length && val.tainted(r)
		switch {
		case lower:
			v = asciiLower(v)
		case upper:
			v = asciiUpper(v)
		}
		if (lowerFirst || upperFirst) && v != "" {
			if upperFirst {
				v = asciiUpper(v[:1]) + v[1:]
			} else {
				v = asciiLower(v[:1]) + v[1:]
			}
		}
		if quote {
			v = quoteWildcards(v)
		}
		if encode {
			v = encodeURL(v)
		}
		if length {
			v = strconv.Itoa(utf8.RuneCountInString(v))
		}
		r.setVariable(slot, v)
		if tainted {
			r.taintVariable(slot)
		}
		return nil
	}
}

// asciiLower lower-cases ASCII letters only, as the modifiers of RFC 5229
// §4.1 are defined on the i;ascii-casemap alphabet.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func quoteWildcards(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func buildString(c *compiler, a *call) testFunc {
	sources := c.vals(a, 0)
	m := c.matcher(a, c.vals(a, 1))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		if m.counting() {
			// spec: SV-49 — an empty string counts 0, any other 1.
			n := 0
			for _, s := range sources {
				if s.get(r) != "" {
					n++
				}
			}
			return m.matchCount(r, n), nil
		}
		for _, s := range sources {
			if m.match(r, s.get(r)) {
				return true, nil
			}
		}
		return false, nil
	}
}
