package sieve

import (
	"fmt"
	"slices"
	"strings"
)

// extEnvelope is the envelope test (RFC 5228 §5.4). spec: SV-11
var extEnvelope = extension{
	name: "envelope",
	specs: []*spec{
		{name: "envelope", test: true, tags: slices.Concat(matchTags, addressPartTags),
			args: []argType{argStrings, argStrings}, buildTest: buildEnvelope},
	},
}

func buildEnvelope(c *compiler, a *call) testFunc {
	parts := c.vals(a, 0)
	for i, p := range parts {
		if p.isConst() && !envelopePart(p.lit) {
			c.errorf(a.args[0].StrPos[i], "envelope part %q is not supported, only \"from\" and \"to\"", p.lit)
		}
	}
	part := addressPart(a)
	m := c.matcher(a, c.vals(a, 1))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		count := 0
		for _, pv := range parts {
			p := pv.get(r)
			if !envelopePart(p) {
				return false, fmt.Errorf("envelope part %q is not supported", p)
			}
			v := r.in.Envelope.To
			if strings.EqualFold(p, "from") {
				v = r.in.Envelope.From
			}
			addr := envelopeAddr(v)
			s, ok := addr.part(part)
			switch {
			case !ok:
			case m.counting():
				// spec: SV-65 — the null reverse path is no address.
				if !addr.null {
					count++
				}
			case m.match(r, s):
				return true, nil
			}
		}
		if m.counting() {
			return m.matchCount(r, count), nil
		}
		return false, nil
	}
}

func envelopePart(p string) bool { return strings.EqualFold(p, "from") || strings.EqualFold(p, "to") }
