package sieve

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// extInclude is include (RFC 6609): include, return and global, and the
// "global" variables namespace.
//
// Included scripts are resolved when compiling, as Pigeonhole does: Compile
// asks Options.Includes for every script an include names, once per
// script however often it is named, and compiles it with its own require
// (§3.2) into the same Script. A script that does not exist is not an
// error when compiling — a ManageSieve upload must not depend on the order
// scripts arrive in — but an include of it fails the run unless :optional
// (§3.1, §3.2). Recursion is a compile error (§3.1 allows either time).
var extInclude = extension{
	name: "include",
	specs: []*spec{
		{name: "include", tags: []tagSpec{
			{name: "personal", group: groupLocation},
			{name: "global", group: groupLocation},
			{name: "once"},
			{name: "optional"},
		}, args: []argType{argString}, buildCmd: buildInclude},
		{name: "return", buildCmd: func(*compiler, *call) cmdFunc {
			return func(*run) error { return errReturn }
		}},
		{name: "global", args: []argType{argStrings}, buildCmd: buildGlobal},
	},
}

const (
	groupLocation = "location"
	// Bounds of the include tree, Pigeonhole's defaults: how deep includes
	// nest below the main script (Pigeonhole runs a chain of 10 included
	// scripts and refuses 11; RFC 6609 §3.1 asks for at least 3 levels
	// with the main script) and how many distinct scripts one tree may use.
	maxIncludeDepth = 10
	maxIncludes     = 255
	// maxIncludeRuns bounds how many includes one run executes: without
	// recursion a tree is finite, but scripts that each include the next
	// many times multiply.
	maxIncludeRuns = 10000
)

// ScriptSource loads the scripts an include names: the user's own
// (personal) or the site's shared ones (global). Script returns
// ErrNoScript when there is no script of that name; any other error
// fails the compile.
type ScriptSource interface {
	Script(global bool, name string) ([]byte, error)
}

// ScriptSourceFunc adapts a function to ScriptSource.
type ScriptSourceFunc func(global bool, name string) ([]byte, error)

// Script calls f.
func (f ScriptSourceFunc) Script(global bool, name string) ([]byte, error) { return f(global, name) }

// ErrNoScript is what a ScriptSource returns for a name it does not hold.
var ErrNoScript = errors.New("sieve: no such script")

// IncludedScript is a script the include tree looked up, whether or not
// it was there: a cache of compiled scripts is stale once any of them
// changes, appears or disappears.
type IncludedScript struct {
	Global bool   // a site-wide script (:global), else the user's own
	Name   string // as the include command gave it
	Found  bool   // the source held it when the script was compiled
}

// Includes lists the scripts the script's include commands named, its own
// and those of the scripts it includes, each once, in the order they were
// first looked up.
func (s *Script) Includes() []IncludedScript {
	if s.inc == nil {
		return nil
	}
	out := make([]IncludedScript, len(s.inc.order))
	for i, k := range s.inc.order {
		u := s.inc.units[k]
		out[i] = IncludedScript{Global: k.global, Name: k.name, Found: u.script != nil}
	}
	return out
}

// uses reports whether the script or any script it includes requires
// capability c.
func (s *Script) uses(c string) bool {
	if slices.Contains(s.requires, c) {
		return true
	}
	if s.inc == nil {
		return false
	}
	for _, u := range s.inc.units {
		if u.script != nil && slices.Contains(u.script.requires, c) {
			return true
		}
	}
	return false
}

// errReturn unwinds the current included script for "return"; in the
// main script it ends the run as stop does (RFC 6609 §3.3).
var errReturn = errors.New("return")

type includeKey struct {
	global bool
	name   string
}

func (k includeKey) String() string {
	if k.global {
		return fmt.Sprintf("global script %q", k.name)
	}
	return fmt.Sprintf("personal script %q", k.name)
}

// includeUnit is one included script, compiled once for the whole tree.
type includeUnit struct {
	script    *Script // nil when the source does not hold it
	compiling bool    // on the compile stack: naming it again is recursion
}

// includeSet is the state of one Compile shared by every script of the
// tree: the scripts looked up, the include stack, and the names of the
// global variables (RFC 6609 §3.4).
type includeSet struct {
	src     ScriptSource
	units   map[includeKey]*includeUnit
	order   []includeKey
	depth   int // scripts on the compile stack, the main one included
	globals *varTable
	// compile is compileTree; a field, since the extension table cannot
	// refer to the compiler that reads it.
	compile func(src []byte, opts Options, inc *includeSet) (*Script, *CompileError)
}

func newIncludeSet(src ScriptSource) *includeSet {
	return &includeSet{src: src, units: map[includeKey]*includeUnit{}, depth: 1,
		globals: &varTable{index: map[string]int{}}, compile: compileTree}
}

// validScriptName applies RFC 5804 §1.6's rules for script names: UTF-8
// without control characters or line and paragraph separators.
func validScriptName(name string) bool {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 128 {
		return false
	}
	for _, r := range name {
		if r <= 0x1f || 0x7f <= r && r <= 0x9f || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	return true
}

func buildInclude(c *compiler, a *call) cmdFunc {
	name := a.str(0)
	pos := a.args[0].Pos
	// RFC 6609 §3.2: the name is a constant string.
	if c.expand != nil && strings.Contains(name, "${") && c.expand(name) != nil {
		c.errorf(pos, "the name of an included script must be a constant string, not contain variables")
		return nil
	}
	if !validScriptName(name) {
		c.errorf(pos, "%q is not a valid script name", name)
		return nil
	}
	key := includeKey{global: a.has("global"), name: name}
	once, optional := a.has("once"), a.has("optional")
	u := c.loadInclude(pos, key, once)
	if u == nil {
		return nil
	}
	if u.script == nil && !optional {
		// As Pigeonhole does on upload: worth telling, not refusing.
		c.warnf(pos, "included %s does not exist (yet): the include fails when it runs", key)
	}
	return func(r *run) error {
		if once && r.included[key] {
			return nil // RFC 6609 §3.2: already included in this run
		}
		if u.script == nil {
			if optional {
				return nil
			}
			// RFC 6609 §3.1: a missing script is an error when executed.
			return fmt.Errorf("included %s does not exist", key)
		}
		return r.include(key, u.script)
	}
}

// loadInclude finds or compiles an included script; nil after an error.
func (c *compiler) loadInclude(pos Pos, key includeKey, once bool) *includeUnit {
	inc := c.inc
	if u, ok := inc.units[key]; ok {
		if u.compiling && !once {
			// RFC 6609 §3.1: recursion is an error. With :once it is not
			// (§3.2): the script is running, so the include is skipped.
			c.errorf(pos, "%s includes itself (recursion)", key)
			return nil
		}
		return u
	}
	if len(inc.units) >= maxIncludes {
		c.errorf(pos, "more than %d included scripts", maxIncludes)
		return nil
	}
	if inc.depth > maxIncludeDepth {
		c.errorf(pos, "includes nest deeper than %d scripts", maxIncludeDepth)
		return nil
	}
	u := &includeUnit{}
	inc.units[key] = u
	inc.order = append(inc.order, key)
	var src []byte
	err := ErrNoScript
	if inc.src != nil {
		src, err = inc.src.Script(key.global, key.name)
	}
	if errors.Is(err, ErrNoScript) {
		return u // missing: an error only if the include runs (§3.1)
	}
	if err != nil {
		c.errorf(pos, "cannot read included %s: %v", key, err)
		return nil
	}
	u.compiling = true
	inc.depth++
	s, cerr := inc.compile(src, c.opts, inc)
	inc.depth--
	u.compiling = false
	if cerr != nil {
		c.errorf(pos, "included %s does not compile: %v", key, cerr)
		return nil
	}
	u.script = s
	return u
}

// include runs an included script with its own variables and match
// variables (RFC 6609 §3.4); its actions join the run's. return ends
// only the included script, stop the whole run.
func (r *run) include(key includeKey, s *Script) error {
	r.includeRuns++
	if r.includeRuns > maxIncludeRuns {
		return fmt.Errorf("more than %d includes run", maxIncludeRuns)
	}
	if r.included == nil {
		r.included = map[includeKey]bool{}
	}
	r.included[key] = true
	outer, vars, matchVars, taint := r.s, r.vars, r.matchVars, r.varTaint
	r.s, r.vars, r.matchVars, r.varTaint = s, nil, nil, globalTaint(taint, nil)
	err := r.block(s.body)
	r.s, r.vars, r.matchVars, r.varTaint = outer, vars, matchVars, globalTaint(r.varTaint, taint)
	if err == errReturn {
		return nil
	}
	return err
}

// buildGlobal declares variables shared by every script of the run that
// declares them (RFC 6609 §3.4.1). The declaration is made when
// compiling, wherever the command stands: later uses of the names in this
// script are the global variables.
func buildGlobal(c *compiler, a *call) cmdFunc {
	if c.vars == nil {
		c.errorf(a.pos, `"global" needs require "variables" as well as "include"`)
		return nil
	}
	for i, name := range a.strs(0) {
		p := a.args[0].StrPos[i]
		if !isIdentifier(name) || len(name) > maxVarNameLen {
			c.errorf(p, "%q is not a valid variable name for global", name)
			continue
		}
		key := strings.ToLower(name)
		if _, ok := c.vars.index[key]; ok && !c.globalNames[key] {
			// RFC 6609 §3.4.1: the name was already used as a local.
			c.errorf(p, "variable %q is declared global after its use as a local variable", name)
			continue
		}
		if _, ok := c.inc.globals.slot(name); !ok {
			c.errorf(p, "more than %d global variables", maxVariables)
			continue
		}
		if c.globalNames == nil {
			c.globalNames = map[string]bool{}
		}
		c.globalNames[key] = true
	}
	return nil
}

// globalVar returns the slot of a name this script declared global.
func (c *compiler) globalVar(name string) (int, bool) {
	if !c.globalNames[strings.ToLower(name)] {
		return 0, false
	}
	i, _ := c.inc.globals.slot(name)
	return globalSlot(i), true
}

// namespacedVar resolves "global.NAME" (RFC 6609 §3.4.2) when both
// include and variables are required; handled is false for any other
// namespace, which the caller reports.
func (c *compiler) namespacedVar(p Pos, name string) (slot int, ok, handled bool) {
	ns, rest, _ := strings.Cut(name, ".")
	if !strings.EqualFold(ns, "global") {
		return 0, false, false
	}
	switch {
	case !c.required["include"]:
		c.errorf(p, `variable %q: the "global" namespace needs require "include"`, name)
		return 0, false, true
	case strings.Contains(rest, "."):
		c.errorf(p, "variable %q: the global namespace has no sub-namespaces", name)
		return 0, false, true
	case !isIdentifier(rest) || len(rest) > maxVarNameLen:
		c.errorf(p, "variable %q: %q is not a valid variable name", name, rest)
		return 0, false, true
	}
	i, ok := c.inc.globals.slot(rest)
	if !ok {
		c.errorf(p, "more than %d global variables", maxVariables)
		return 0, false, true
	}
	return globalSlot(i), true, true
}

// globalSlot encodes index i of the global table as a variable slot:
// local slots count up from 0, global ones down from -1.
func globalSlot(i int) int { return -1 - i }

// globalTaint carries the NA-51 marks of global variables (negative
// slots) from one script's variables to another's: from's global marks
// replace into's, whose local marks stay.
func globalTaint(from, into map[int]bool) map[int]bool {
	var out map[int]bool
	for i, t := range into {
		if i >= 0 && t {
			if out == nil {
				out = map[int]bool{}
			}
			out[i] = true
		}
	}
	for i, t := range from {
		if i < 0 && t {
			if out == nil {
				out = map[int]bool{}
			}
			out[i] = true
		}
	}
	return out
}
