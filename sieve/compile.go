package sieve

import (
	"fmt"
	"slices"
	"strings"
)

// compiler checks a syntax tree against the tables and turns it into
// closures. It collects every error rather than stopping at the first, so
// a user sees all problems of a script at once.
type compiler struct {
	opts        Options
	allowed     map[string]*extension // capabilities the options permit
	required    map[string]bool
	commands    map[string]*spec
	tests       map[string]*spec
	comparators map[string]*comparator
	encoded     bool // encoded-character is required
	// expand, when set, returns a function computing a string argument at
	// run time, or nil for a string that is constant (see value).
	expand func(lit string) func(r *run) string
	// taint, when set, returns for a dynamic string a function telling
	// whether its value holds message data (enotify with variables, NA-51).
	taint func(lit string) func(r *run) bool
	// vars is the variables extension's name table, nil unless required.
	vars *varTable
	// inc is the include tree this script belongs to (ext_include.go);
	// globalNames are the variables this script declared global.
	inc         *includeSet
	globalNames map[string]bool
	// at is the position of the command or test being compiled, for
	// errors found inside its strings (variable references).
	at       Pos
	errs     []Error
	warnings []Error
}

func newCompiler(opts Options) *compiler {
	c := &compiler{opts: opts, allowed: map[string]*extension{}, required: map[string]bool{}}
	permit := func(string) bool { return true }
	if opts.Extensions != nil {
		permit = func(name string) bool { return slices.Contains(opts.Extensions, name) }
	}
	for _, e := range extensions() {
		if e.name != "" && permit(e.name) {
			c.allowed[e.name] = e
		}
		for _, a := range e.aliases {
			c.allowed[a] = e
		}
	}
	return c
}

func (c *compiler) warnf(p Pos, format string, args ...any) {
	c.warnings = append(c.warnings, Error{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)})
}

// headerNames warns about names that can never match (SV-08: not an
// error, but worth telling the author, as ManageSieve's WARNINGS does).
func (c *compiler) headerNames(a Arg) {
	for i, n := range a.Strings {
		if !validHeaderName(n) {
			c.warnf(a.StrPos[i], "%q is not a valid header name, it matches nothing", n)
		}
	}
}

// maxErrors bounds the report for a script of garbage; the first errors
// are the useful ones.
const maxErrors = 50

func (c *compiler) errorf(p Pos, format string, args ...any) {
	switch {
	case len(c.errs) < maxErrors:
		c.errs = append(c.errs, Error{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)})
	case len(c.errs) == maxErrors:
		c.errs = append(c.errs, Error{Line: p.Line, Column: p.Column, Msg: "too many errors, stopping"})
	}
}

// script compiles the leading require commands, builds the tables, and
// compiles the rest.
func (c *compiler) script(cmds []*Command) *Script {
	s := &Script{opts: c.opts}
	i := 0
	for ; i < len(cmds) && cmds[i].Name == "require"; i++ {
		c.require(cmds[i], s)
	}
	c.buildTables()
	s.flags = c.required["imap4flags"]
	s.body = c.block(cmds[i:])
	if c.vars != nil {
		s.nvars = len(c.vars.index)
	}
	s.warnings = c.warnings
	return s
}

func (c *compiler) require(cmd *Command, s *Script) {
	if len(cmd.Args) != 1 || !cmd.Args[0].isStrings() || len(cmd.Tests) > 0 || cmd.HasBlock {
		c.errorf(cmd.Pos, `"require" takes one string list, as in require ["fileinto"];`)
		return
	}
	a := cmd.Args[0]
	for i, name := range a.Strings {
		if _, ok := c.allowed[name]; !ok {
			c.errorf(a.StrPos[i], "unsupported capability %q", name)
			continue
		}
		if !c.required[name] {
			s.requires = append(s.requires, name)
		}
		c.required[name] = true
	}
}

// buildTables merges the base language and the required extensions.
func (c *compiler) buildTables() {
	c.commands, c.tests, c.comparators = map[string]*spec{}, map[string]*spec{}, map[string]*comparator{}
	active := []*extension{&extBase}
	for _, e := range extensions() {
		if e.name != "" && c.required[e.name] {
			active = append(active, e)
		}
		for _, a := range e.aliases {
			if c.required[a] && !slices.Contains(active, e) {
				active = append(active, e)
			}
		}
	}
	c.encoded = c.required["encoded-character"]
	for _, e := range active {
		for _, sp := range e.specs {
			// Copy the row: extra tags must not leak into the shared table.
			row := *sp
			row.tags = slices.Clone(sp.tags)
			if sp.test {
				c.tests[sp.name] = &row
			} else {
				c.commands[sp.name] = &row
			}
		}
		for _, cmp := range e.comparators {
			c.comparators[cmp.name] = cmp
		}
	}
	for _, e := range active {
		if e.setup != nil {
			e.setup(c)
		}
		for _, x := range e.tags {
			for _, row := range c.allRows() {
				if slices.Contains(x.to, row.name) || (x.toGroup != "" && row.hasGroup(x.toGroup)) {
					row.tags = append(row.tags, x.tags...)
				}
			}
		}
	}
}

func (c *compiler) allRows() []*spec {
	var rows []*spec
	for _, r := range c.commands {
		rows = append(rows, r)
	}
	for _, r := range c.tests {
		rows = append(rows, r)
	}
	return rows
}

func (sp *spec) hasGroup(g string) bool {
	return slices.ContainsFunc(sp.tags, func(t tagSpec) bool { return t.group == g })
}

// unknown explains a name that is not in the tables, pointing at the
// missing require when an extension has it.
func (c *compiler) unknown(p Pos, kind, name string) {
	for _, e := range extensions() {
		for _, sp := range e.specs {
			if sp.name == name && sp.test == (kind == "test") && e.name != "" {
				c.errorf(p, `unknown %s %q (missing require %q?)`, kind, name, e.name)
				return
			}
		}
	}
	c.errorf(p, "unknown %s %q", kind, name)
}

// unknownTag explains a tag the row does not take, pointing at the
// missing require when an extension adds it.
func (c *compiler) unknownTag(p Pos, name, tag string) {
	for _, e := range extensions() {
		for _, x := range e.tags {
			if _, ok := findTag(x.tags, tag); ok && e.name != "" && !c.required[e.name] &&
				(slices.Contains(x.to, name) || x.toGroup != "") {
				c.errorf(p, "unknown tag \":%s\" for %q (missing require %q?)", tag, name, e.name)
				return
			}
		}
	}
	c.errorf(p, "unknown tag \":%s\" for %q", tag, name)
}

// block compiles a list of commands, joining if/elsif/else chains.
func (c *compiler) block(cmds []*Command) []cmdFunc {
	var out []cmdFunc
	for i := 0; i < len(cmds); i++ {
		cmd := cmds[i]
		switch cmd.Name {
		case "require":
			c.errorf(cmd.Pos, `"require" must come before every other command`)
			continue
		case "elsif", "else":
			c.errorf(cmd.Pos, "%q without a preceding \"if\"", cmd.Name)
			continue
		case "if":
			chain := []*Command{cmd}
			for i+1 < len(cmds) && (cmds[i+1].Name == "elsif" || cmds[i+1].Name == "else") {
				i++
				chain = append(chain, cmds[i])
				if cmds[i].Name == "else" {
					break
				}
			}
			out = append(out, c.ifChain(chain))
			continue
		}
		sp := c.commands[cmd.Name]
		if sp == nil {
			c.unknown(cmd.Pos, "command", cmd.Name)
			continue
		}
		a := c.check(sp, cmd.Pos, cmd.Args, cmd.Tests, cmd.TestList)
		if cmd.HasBlock != sp.block {
			if sp.block {
				c.errorf(cmd.Pos, "%q needs a block", cmd.Name)
			} else {
				c.errorf(cmd.Pos, "%q takes no block", cmd.Name)
			}
			continue
		}
		if a != nil {
			if f := sp.buildCmd(c, a); f != nil {
				out = append(out, atPos(cmd.Pos, f))
			}
		}
	}
	return out
}

// atPos prefixes a command's run-time errors with its position, so the
// user's error report (SV-26) says which command failed.
func atPos(p Pos, f cmdFunc) cmdFunc {
	return func(r *run) error {
		err := f(r)
		if err != nil && err != errStop && err != errReturn {
			return fmt.Errorf("%s: %w", p, err)
		}
		return err
	}
}

// ifChain compiles if [elsif ...] [else]: exactly one block runs (SV-03).
func (c *compiler) ifChain(chain []*Command) cmdFunc {
	type branch struct {
		test  testFunc
		block []cmdFunc
	}
	var branches []branch
	for _, cmd := range chain {
		var b branch
		if cmd.Name == "else" {
			if len(cmd.Args) > 0 || len(cmd.Tests) > 0 {
				c.errorf(cmd.Pos, `"else" takes no arguments or tests`)
			}
		} else {
			if len(cmd.Args) > 0 {
				c.errorf(cmd.Args[0].Pos, "%q takes no arguments, only a test", cmd.Name)
			}
			if len(cmd.Tests) != 1 || cmd.TestList {
				c.errorf(cmd.Pos, "%q needs exactly one test (use allof or anyof to combine tests)", cmd.Name)
			} else {
				b.test = c.test(cmd.Tests[0])
			}
		}
		if !cmd.HasBlock {
			c.errorf(cmd.Pos, "%q needs a block", cmd.Name)
		}
		b.block = c.block(cmd.Block)
		branches = append(branches, b)
	}
	return func(r *run) error {
		for _, b := range branches {
			if b.test != nil {
				ok, err := b.test(r)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			return r.block(b.block)
		}
		return nil
	}
}

func (c *compiler) test(t *Test) testFunc {
	sp := c.tests[t.Name]
	if sp == nil {
		c.unknown(t.Pos, "test", t.Name)
		return nil
	}
	a := c.check(sp, t.Pos, t.Args, t.Tests, t.TestList)
	if a == nil {
		return nil
	}
	f := sp.buildTest(c, a)
	if f == nil {
		return nil
	}
	if t.Name == "not" || t.Name == "allof" || t.Name == "anyof" {
		return f // their operands name their own positions
	}
	return func(r *run) (bool, error) {
		ok, err := f(r)
		if err != nil {
			return false, fmt.Errorf("%s: %w", t.Pos, err)
		}
		return ok, nil
	}
}

// value is a string argument as compiled. Strings are constant in the base
// language; once an extension makes them dynamic (variables), dyn computes
// the value in each run.
type value struct {
	lit   string
	dyn   func(r *run) string
	taint func(r *run) bool // see compiler.taint; nil: never tainted
}

// tainted reports whether the value holds data taken from the message.
func (v value) tainted(r *run) bool { return v.taint != nil && v.taint(r) }

func (v value) get(r *run) string {
	if v.dyn == nil {
		return v.lit
	}
	return v.dyn(r)
}

func (v value) isConst() bool { return v.dyn == nil }

func (c *compiler) value(s string) value {
	if c.expand != nil {
		if f := c.expand(s); f != nil {
			v := value{lit: s, dyn: f}
			if c.taint != nil {
				v.taint = c.taint(s)
			}
			return v
		}
	}
	return value{lit: s}
}

// val and vals return positional argument i as compiled values.
func (c *compiler) val(a *call, i int) value {
	c.atString(a, i, 0)
	return c.value(a.str(i))
}

func (c *compiler) vals(a *call, i int) []value {
	ss := a.strs(i)
	out := make([]value, len(ss))
	for j, s := range ss {
		c.atString(a, i, j)
		out[j] = c.value(s)
	}
	return out
}

// atString points c.at at string j of argument i, so that an error in a
// variable reference names the string rather than its command.
func (c *compiler) atString(a *call, i, j int) {
	if i < len(a.args) && j < len(a.args[i].StrPos) {
		c.at = a.args[i].StrPos[j]
	}
}

// getAll evaluates a list of values.
func getAll(r *run, vs []value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.get(r)
	}
	return out
}

// call is a command or test whose arguments matched its row.
type call struct {
	pos    Pos
	name   string
	tags   map[string]Arg    // tag name -> its argument (Kind ArgTag when it takes none)
	groups map[string]string // tag group -> the tag given from it
	args   []Arg
	tests  []testFunc
}

func (a *call) has(tag string) bool { _, ok := a.tags[tag]; return ok }

// str returns positional argument i as a string; absent arguments are "".
func (a *call) str(i int) string {
	if i >= len(a.args) || len(a.args[i].Strings) == 0 {
		return ""
	}
	return a.args[i].Strings[0]
}

func (a *call) strs(i int) []string {
	if i >= len(a.args) {
		return nil
	}
	return a.args[i].Strings
}

func (a *call) tagStr(tag string) string {
	if v, ok := a.tags[tag]; ok && len(v.Strings) > 0 {
		return v.Strings[0]
	}
	return ""
}

// check matches arguments and tests against a row and reports every
// mismatch. It returns nil if anything was wrong.
func (c *compiler) check(sp *spec, p Pos, args []Arg, tests []*Test, list bool) *call {
	nerr := len(c.errs)
	c.at = p
	a := &call{pos: p, name: sp.name, tags: map[string]Arg{}, groups: map[string]string{}}
	groups := a.groups
	i := 0
	for ; i < len(args) && args[i].Kind == ArgTag; i++ {
		tag := args[i]
		ts, ok := findTag(sp.tags, tag.Tag)
		if !ok {
			c.unknownTag(tag.Pos, sp.name, tag.Tag)
			continue
		}
		if _, dup := a.tags[ts.name]; dup {
			c.errorf(tag.Pos, "tag \":%s\" given twice", ts.name)
		}
		if ts.group != "" {
			if prev, ok := groups[ts.group]; ok && prev != ts.name {
				c.errorf(tag.Pos, "only one %s allowed, \":%s\" and \":%s\" given", ts.group, prev, ts.name)
			}
			groups[ts.group] = ts.name
		}
		val := tag
		if ts.arg != argNone {
			if i+1 >= len(args) || !c.argFits(ts.arg, args[i+1]) {
				c.errorf(tag.Pos, "tag \":%s\" needs %s after it", ts.name, ts.arg)
				continue
			}
			i++
			val = c.decodeArg(args[i])
		}
		a.tags[ts.name] = val
	}
	pos := args[i:]
	for _, x := range pos {
		if x.Kind == ArgTag {
			c.errorf(x.Pos, "tag \":%s\" must come before the other arguments of %q", x.Tag, sp.name)
		}
	}
	min := len(sp.args)
	if sp.minArgs > 0 {
		min = sp.minArgs
	}
	if len(pos) < min || len(pos) > len(sp.args) {
		switch {
		case len(sp.args) == 0:
			c.errorf(pos[0].Pos, "%q takes no positional arguments", sp.name)
		case len(pos) < min:
			c.errorf(p, "%q needs %d positional argument(s), found %d", sp.name, min, len(pos))
		default:
			c.errorf(pos[len(sp.args)].Pos, "%q takes at most %d positional argument(s)", sp.name, len(sp.args))
		}
	} else {
		// Missing optional arguments are the leading ones.
		want := sp.args[len(sp.args)-len(pos):]
		for j, x := range pos {
			if x.Kind == ArgTag {
				continue
			}
			if !c.argFits(want[j], x) {
				c.errorf(x.Pos, "%q expects %s here, found %s", sp.name, want[j], x.Kind)
				continue
			}
			a.args = append(a.args, c.decodeArg(x))
		}
		if len(want) < len(sp.args) {
			// Keep indexes stable: pad the left-out leading arguments.
			a.args = append(make([]Arg, len(sp.args)-len(want)), a.args...)
		}
	}
	switch sp.tests {
	case noTests:
		if len(tests) > 0 {
			c.errorf(tests[0].Pos, "%q takes no tests", sp.name)
		}
	case oneTest:
		if len(tests) != 1 || list {
			c.errorf(p, "%q needs exactly one test, not a test list", sp.name)
		}
	case testList:
		if !list {
			c.errorf(p, "%q needs a test list in brackets, as in %s (true, false)", sp.name, sp.name)
		}
	}
	for _, t := range tests {
		a.tests = append(a.tests, c.test(t))
	}
	if len(c.errs) > nerr {
		return nil
	}
	return a
}

// argSet reports whether positional argument i was given (optional ones
// are padded with a zero Arg).
func (a *call) argSet(i int) bool { return i < len(a.args) && a.args[i].Strings != nil }

func findTag(tags []tagSpec, name string) (tagSpec, bool) {
	for _, t := range tags {
		if t.name == name {
			return t, true
		}
	}
	return tagSpec{}, false
}

func (c *compiler) argFits(t argType, x Arg) bool {
	switch t {
	case argString:
		return x.Kind == ArgString
	case argStrings:
		return x.isStrings()
	case argNumber:
		return x.Kind == ArgNumber
	}
	return false
}

// decodeArg applies encoded-character to every string of an argument.
func (c *compiler) decodeArg(x Arg) Arg {
	if !c.encoded || !x.isStrings() {
		return x
	}
	out := x
	out.Strings = make([]string, len(x.Strings))
	for i, s := range x.Strings {
		d, err := decodeEncodedCharacters(s)
		if err != nil {
			c.errorf(x.StrPos[i], "%v", err)
		}
		out.Strings[i] = d
	}
	return out
}

// matcher builds the match type and comparator of a call for keys.
func (c *compiler) matcher(a *call, keys []value) *matcher {
	name := "i;ascii-casemap"
	if a.has("comparator") {
		name = strings.ToLower(a.tagStr("comparator"))
	}
	cmp := c.comparators[name]
	if cmp == nil {
		if _, ok := c.allowed["comparator-"+name]; ok {
			c.errorf(a.tags["comparator"].Pos, "comparator %q needs require %q", name, "comparator-"+name)
		} else {
			c.errorf(a.tags["comparator"].Pos, "unknown comparator %q", name)
		}
		return nil
	}
	kind := matchIs
	switch a.groups[groupMatch] {
	case "contains":
		kind = matchContains
	case "matches":
		kind = matchMatches
	case "value":
		kind = matchValue
	case "count":
		kind = matchCount
	}
	if (kind == matchContains || kind == matchMatches) && !cmp.substring {
		c.errorf(a.pos, "comparator %q cannot be used with :contains or :matches", name)
		return nil
	}
	m := newMatcher(kind, cmp, keys)
	m.capture = kind == matchMatches && c.vars != nil // variables hook
	if kind == matchValue || kind == matchCount {
		tag := a.groups[groupMatch]
		op := a.tagStr(tag)
		rel, ok := relation(op)
		if !ok {
			c.errorf(a.tags[tag].Pos, "relational operator %q is not one of \"gt\", \"ge\", \"lt\", \"le\", \"eq\", \"ne\"", op)
			return nil
		}
		m.rel = rel
	}
	return m
}
