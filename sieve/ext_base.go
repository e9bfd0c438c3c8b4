package sieve

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// extBase is the base language of RFC 5228 §3-§5 (if/elsif/else and
// require are handled by the compiler itself). spec: SV-04
var extBase = extension{
	aliases:     []string{"comparator-i;octet", "comparator-i;ascii-casemap"},
	comparators: []*comparator{cmpOctet, cmpCasemap},
	specs: []*spec{
		{name: "stop", buildCmd: func(*compiler, *call) cmdFunc {
			return func(*run) error { return errStop }
		}},
		{name: "keep", buildCmd: buildKeep},
		{name: "discard", buildCmd: func(*compiler, *call) cmdFunc {
			// spec: SV-19 — discard only cancels the implicit keep.
			return func(r *run) error { return r.add(Discard{}, true) }
		}},
		{name: "redirect", args: []argType{argString}, buildCmd: buildRedirect},

		{name: "true", test: true, buildTest: func(*compiler, *call) testFunc {
			return func(*run) (bool, error) { return true, nil }
		}},
		{name: "false", test: true, buildTest: func(*compiler, *call) testFunc {
			return func(*run) (bool, error) { return false, nil }
		}},
		{name: "not", test: true, tests: oneTest, buildTest: func(_ *compiler, a *call) testFunc {
			t := a.tests[0]
			return func(r *run) (bool, error) {
				ok, err := t(r)
				return !ok, err
			}
		}},
		{name: "allof", test: true, tests: testList, buildTest: func(_ *compiler, a *call) testFunc {
			return func(r *run) (bool, error) {
				// spec: SV-13 — left to right, stop when the result is known.
				for _, t := range a.tests {
					if ok, err := t(r); err != nil || !ok {
						return false, err
					}
				}
				return true, nil
			}
		}},
		{name: "anyof", test: true, tests: testList, buildTest: func(_ *compiler, a *call) testFunc {
			return func(r *run) (bool, error) {
				for _, t := range a.tests {
					if ok, err := t(r); err != nil || ok {
						return ok, err
					}
				}
				return false, nil
			}
		}},
		{name: "exists", test: true, args: []argType{argStrings}, buildTest: func(c *compiler, a *call) testFunc {
			c.headerNames(a.args[0])
			names := c.vals(a, 0)
			return func(r *run) (bool, error) {
				// spec: SV-09 — true only when every field is present.
				for _, n := range names {
					if len(r.header(n.get(r))) == 0 {
						return false, nil
					}
				}
				return true, nil
			}
		}},
		{name: "header", test: true, tags: matchTags, args: []argType{argStrings, argStrings},
			buildTest: buildHeader},
		{name: "address", test: true, tags: slices.Concat(matchTags, addressPartTags),
			args: []argType{argStrings, argStrings}, buildTest: buildAddress},
		{name: "size", test: true, args: []argType{argNumber},
			tags:      []tagSpec{{name: "over", group: "size limit"}, {name: "under", group: "size limit"}},
			buildTest: buildSize},
	},
}

func buildKeep(c *compiler, a *call) cmdFunc {
	fixed, hasFixed := flagsTag(c, a)
	return func(r *run) error {
		return r.add(Keep{Flags: r.actionFlags(fixed, hasFixed)}, true)
	}
}

func buildRedirect(c *compiler, a *call) cmdFunc {
	// spec: SV-18 — addr-spec or phrase <addr-spec>, checked when compiled
	// if constant, else when run.
	target := c.val(a, 0)
	if target.isConst() {
		if _, err := redirectAddress(target.lit); err != nil {
			c.errorf(a.args[0].Pos, "%v", err)
			return nil
		}
	}
	copyTag := a.has("copy")
	return func(r *run) error {
		to, err := redirectAddress(target.get(r))
		if err != nil {
			return err
		}
		if rcpt := envelopeAddr(r.in.Envelope.To); rcpt.ok && strings.EqualFold(to, rcpt.local+"@"+rcpt.domain) {
			// spec: SV-18 — the copy would come back to this script.
			return fmt.Errorf("redirect to %s: the recipient itself, a mail loop", to)
		}
		if !slices.ContainsFunc(r.redirects, func(s string) bool { return sameMailbox(s, to) }) {
			if len(r.redirects) >= r.s.opts.MaxRedirects {
				return fmt.Errorf("redirect to %s: more than %d redirects", to, r.s.opts.MaxRedirects)
			}
			r.redirects = append(r.redirects, to)
		}
		return r.add(Redirect{Address: to, Copy: copyTag}, !copyTag)
	}
}

// sameMailbox reports whether two addr-specs name one mailbox for redirect's
// de-duplication (RFC 5228 §2.10.3): the domain is case-insensitive, but the
// local part belongs to the receiving host (RFC 5321 §2.4), so
// "BOB@example.net" and "bob@example.net" are two redirects, as in
// Pigeonhole.
func sameMailbox(a, b string) bool {
	i, j := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	if i < 0 || j < 0 {
		return a == b
	}
	return a[:i] == b[:j] && strings.EqualFold(a[i+1:], b[j+1:])
}

func redirectAddress(s string) (string, error) {
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("invalid redirect address %q: %v", s, err)
	}
	return addr.Address, nil
}

func buildHeader(c *compiler, a *call) testFunc {
	idx, ok := indexArgs(c, a)
	if !ok {
		return nil
	}
	c.headerNames(a.args[0])
	names := c.vals(a, 0)
	m := c.matcher(a, c.vals(a, 1))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		if idx.n > 0 {
			// spec: SV-69 — only the field :index picks.
			v, ok := idx.pick(r, names, r.header)
			if m.counting() {
				return m.matchCount(r, boolInt(ok)), nil
			}
			return ok && m.match(r, v), nil
		}
		if m.counting() {
			// spec: SV-65 — the fields, over all names.
			n := 0
			for _, name := range names {
				n += len(r.header(name.get(r)))
			}
			return m.matchCount(r, n), nil
		}
		for _, n := range names {
			for _, v := range r.header(n.get(r)) {
				if m.match(r, v) {
					return true, nil
				}
			}
		}
		return false, nil
	}
}

// addressPart returns the address part tag given, "all" by default;
// extensions add parts to the group (subaddress) and to mailAddr.part.
func addressPart(a *call) string {
	if p, ok := a.groups[groupAddressPart]; ok {
		return p
	}
	return "all"
}

func buildAddress(c *compiler, a *call) testFunc {
	names := c.vals(a, 0)
	for i, n := range names {
		if n.isConst() && !addressHeaders[strings.ToLower(n.lit)] {
			c.errorf(a.args[0].StrPos[i], "header %q is not an address header, the address test cannot use it", n.lit)
		}
	}
	idx, ok := indexArgs(c, a)
	if !ok {
		return nil
	}
	part := addressPart(a)
	m := c.matcher(a, c.vals(a, 1))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		count := 0
		if idx.n > 0 {
			// spec: SV-69 — :index picks a field, not an address: every
			// address of that field is tested.
			raw := func(name string) []string {
				if !validHeaderName(name) || !addressHeaders[strings.ToLower(name)] {
					return nil
				}
				return r.in.Message.Header(name)
			}
			if v, ok := idx.pick(r, names, raw); ok && matchAddresses(r, m, part, parseAddressList(unfold(v)), &count) {
				return true, nil
			}
		} else {
			for _, n := range names {
				name := n.get(r)
				if !n.isConst() && !addressHeaders[strings.ToLower(name)] {
					continue
				}
				if matchAddresses(r, m, part, r.address(name), &count) {
					return true, nil
				}
			}
		}
		if m.counting() {
			return m.matchCount(r, count), nil
		}
		return false, nil
	}
}

// matchAddresses reports whether the part of any address matches; with
// :count it counts the addresses that have the part instead.
func matchAddresses(r *run, m *matcher, part string, addrs []mailAddr, count *int) bool {
	for _, addr := range addrs {
		v, ok := addr.part(part)
		switch {
		case !ok:
		case m.counting():
			// spec: SV-65 — the addresses that have the part, group
			// members included, over all fields.
			*count++
		case m.match(r, v):
			return true
		}
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func buildSize(c *compiler, a *call) testFunc {
	over, under := a.has("over"), a.has("under")
	if !over && !under {
		c.errorf(a.pos, `"size" needs :over or :under`)
		return nil
	}
	limit := int64(a.args[0].Number)
	return func(r *run) (bool, error) {
		// spec: SV-12
		n := r.in.Message.Size()
		if over {
			return n > limit, nil
		}
		return n < limit, nil
	}
}
