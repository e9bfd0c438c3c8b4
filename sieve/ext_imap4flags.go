package sieve

import (
	"slices"
	"strings"
)

// extImap4flags is imap4flags (RFC 5232) with the internal flag variable;
// named flag variables need the variables extension. spec: SV-51..SV-53
var extImap4flags = extension{
	name: "imap4flags",
	specs: []*spec{
		{name: "setflag", args: []argType{argString, argStrings}, minArgs: 1, buildCmd: buildFlagCmd(setFlags)},
		{name: "addflag", args: []argType{argString, argStrings}, minArgs: 1, buildCmd: buildFlagCmd(addFlags)},
		{name: "removeflag", args: []argType{argString, argStrings}, minArgs: 1, buildCmd: buildFlagCmd(removeFlags)},
		{name: "hasflag", test: true, tags: matchTags, args: []argType{argStrings, argStrings}, minArgs: 1,
			buildTest: buildHasflag},
	},
	tags: []extraTags{{to: []string{"keep", "fileinto"}, tags: []tagSpec{{name: "flags", arg: argStrings}}}},
}

func setFlags(_, add []string) []string { return addFlags(nil, add) }

// systemFlags in the order IMAP lists them (RFC 9051 §2.3.2); \Recent is
// never set by a script (RFC 5232 §3).
var systemFlags = []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`}

// flagRank orders a flag set: system flags first in systemFlags' order,
// then keywords, which keep the order they were first set in.
func flagRank(f string) int {
	for i, sf := range systemFlags {
		if strings.EqualFold(f, sf) {
			return i
		}
	}
	return len(systemFlags)
}

// addFlags adds to a flag set kept canonical: a flag set is a set (RFC
// 5232 §3), compared case-insensitively, so a system flag is spelled as
// IMAP spells it and a keyword keeps the case it was first set with. The
// fixed order makes two runs that set the same flags give the same result.
func addFlags(cur, add []string) []string {
	out := slices.Clone(cur)
	for _, f := range add {
		if r := flagRank(f); r < len(systemFlags) {
			f = systemFlags[r]
		}
		if !slices.ContainsFunc(out, func(g string) bool { return strings.EqualFold(f, g) }) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return flagRank(a) - flagRank(b) })
	return out
}

func removeFlags(cur, del []string) []string {
	return slices.DeleteFunc(slices.Clone(cur), func(f string) bool {
		return slices.ContainsFunc(del, func(d string) bool { return strings.EqualFold(f, d) })
	})
}

func buildFlagCmd(op func(cur, arg []string) []string) func(c *compiler, a *call) cmdFunc {
	return func(c *compiler, a *call) cmdFunc {
		flags := c.vals(a, 1)
		if a.argSet(0) {
			// A named flag variable (RFC 5232 §3): its value is the flag
			// list, space-separated.
			if c.vars == nil {
				c.errorf(a.args[0].Pos, "a flag variable name needs require \"variables\"")
				return nil
			}
			slot, ok := c.varName(a.args[0].Pos, a.str(0))
			if !ok {
				return nil
			}
			return func(r *run) error {
				cur := parseFlags([]string{r.variable(slot)})
				// NA-51: message data in the flags, or already in the
				// variable, stays marked.
				tainted := r.tainted(slot)
				for _, f := range flags {
					tainted = tainted || f.tainted(r)
				}
				r.setVariable(slot, strings.Join(op(cur, parseFlags(getAll(r, flags))), " "))
				if tainted {
					r.taintVariable(slot)
				}
				return nil
			}
		}
		return func(r *run) error {
			r.flags = op(r.flags, parseFlags(getAll(r, flags)))
			return nil
		}
	}
}

func buildHasflag(c *compiler, a *call) testFunc {
	var slots []int
	if a.argSet(0) {
		if c.vars == nil {
			c.errorf(a.args[0].Pos, "a flag variable name needs require \"variables\"")
			return nil
		}
		for i, name := range a.strs(0) {
			slot, ok := c.varName(a.args[0].StrPos[i], name)
			if !ok {
				return nil
			}
			slots = append(slots, slot)
		}
	}
	m := c.matcher(a, c.vals(a, 1))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		flags := r.flags
		if slots != nil {
			// The flags of the named variables (RFC 5232 §4), as one set.
			var lists []string
			for _, s := range slots {
				lists = append(lists, r.variable(s))
			}
			flags = parseFlags(lists)
		}
		if m.counting() {
			// spec: SV-53 — the flag set holds each flag once.
			return m.matchCount(r, len(flags)), nil
		}
		for _, f := range flags {
			if m.match(r, f) {
				return true, nil
			}
		}
		return false, nil
	}
}

// flagsTag returns the flags of a :flags tag, if one was given.
func flagsTag(c *compiler, a *call) ([]value, bool) {
	v, ok := a.tags["flags"]
	if !ok {
		return nil, false
	}
	vals := make([]value, len(v.Strings))
	for i, s := range v.Strings {
		vals[i] = c.value(s)
	}
	return vals, true
}

// actionFlags gives a keep or fileinto its flags: the :flags tag if given,
// else the internal variable when imap4flags is in use (SV-52).
func (r *run) actionFlags(fixed []value, hasFixed bool) []string {
	if hasFixed {
		return parseFlags(getAll(r, fixed))
	}
	if r.s.flags && len(r.flags) > 0 {
		return slices.Clone(r.flags)
	}
	return nil
}

// parseFlags splits space-separated flag lists and drops empty strings,
// invalid names and \Recent (RFC 5232 §3).
func parseFlags(lists []string) []string {
	var out []string
	for _, l := range lists {
		for _, f := range strings.Fields(l) {
			if validFlag(f) {
				out = addFlags(out, []string{f})
			}
		}
	}
	return out
}

func validFlag(f string) bool {
	if strings.HasPrefix(f, "\\") {
		switch strings.ToLower(f) {
		case `\answered`, `\flagged`, `\deleted`, `\seen`, `\draft`:
			return true
		}
		return false
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return f != ""
}
