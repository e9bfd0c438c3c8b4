package sieve

import "unicode/utf8"

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
		reason := a.str(0)
		if !utf8.ValidString(reason) {
			c.errorf(a.args[0].Pos, "reject reason is not UTF-8")
			return nil
		}
		return func(r *run) error { return r.add(Reject{Reason: reason, Extended: extended}, true) }
	}
}
