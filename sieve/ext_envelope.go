package sieve

import (
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
	parts := a.strs(0)
	for i, p := range parts {
		if p = strings.ToLower(p); p != "from" && p != "to" {
			c.errorf(a.args[0].StrPos[i], "envelope part %q is not supported, only \"from\" and \"to\"", parts[i])
		}
	}
	part := addressPart(a)
	m := c.matcher(a, a.strs(1))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		for _, p := range parts {
			v := r.in.Envelope.To
			if strings.EqualFold(p, "from") {
				v = r.in.Envelope.From
			}
			if s, ok := envelopeAddr(v).part(part); ok && m.match(s) {
				return true, nil
			}
		}
		return false, nil
	}
}
