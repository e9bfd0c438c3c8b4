package sieve

import (
	"errors"
	"unicode/utf8"
)

// extReject and extEreject are reject and ereject (RFC 5429), language side:
// the caller chooses between a protocol refusal, a DSN and an MDN.
// spec: SV-29, SV-33, SV-34
var (
	extReject = extension{
		name:  "reject",
		specs: []*spec{{name: "reject", args: []argType{argString}, buildCmd: buildReject(false)}},
	}
	extEreject = extension{
		name:  "ereject",
		specs: []*spec{{name: "ereject", args: []argType{argString}, buildCmd: buildReject(true)}},
	}
)

func buildReject(extended bool) func(c *compiler, a *call) cmdFunc {
	return func(c *compiler, a *call) cmdFunc {
		reason := c.val(a, 0)
		if reason.isConst() && !utf8.ValidString(reason.lit) {
			c.errorf(a.args[0].Pos, "reject reason is not UTF-8")
			return nil
		}
		return func(r *run) error {
			text := reason.get(r)
			if !utf8.ValidString(text) {
				return errors.New("reject reason is not UTF-8")
			}
			return r.add(Reject{Reason: text, Extended: extended}, true)
		}
	}
}
