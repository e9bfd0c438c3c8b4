package sieve

import (
	"fmt"
	"strings"
)

// extMailbox is mailbox (RFC 5490 §3): fileinto :create and the
// mailboxexists test. Whether a mailbox exists is the caller's to say
// (Input.MailboxExists); creating it is the caller's too. spec: SV-55
var extMailbox = extension{
	name: "mailbox",
	specs: []*spec{
		{name: "mailboxexists", test: true, args: []argType{argStrings}, buildTest: buildMailboxExists},
	},
	tags: []extraTags{{to: []string{"fileinto"}, tags: []tagSpec{{name: "create"}}}},
}

func buildMailboxExists(c *compiler, a *call) testFunc {
	names := c.vals(a, 0)
	for i, n := range names {
		if n.isConst() {
			if err := checkMailbox(n.lit); err != nil {
				c.errorf(a.args[0].StrPos[i], "%v", err)
			}
		}
	}
	return func(r *run) (bool, error) {
		// RFC 5490 §3.1: true only if every named mailbox exists.
		for _, nv := range names {
			name := nv.get(r)
			if err := checkMailbox(name); err != nil {
				return false, fmt.Errorf("mailboxexists: %w", err)
			}
			if !r.mailboxExists(name) {
				return false, nil
			}
		}
		return true, nil
	}
}

// mailboxExists asks the caller; without an answer only INBOX, which every
// account has, exists.
func (r *run) mailboxExists(name string) bool {
	if r.in.MailboxExists != nil {
		return r.in.MailboxExists(name)
	}
	return strings.EqualFold(name, "INBOX")
}
