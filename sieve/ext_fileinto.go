package sieve

import (
	"fmt"
	"unicode/utf8"
)

// extFileinto is fileinto (RFC 5228 §4.1). spec: SV-04, SV-16
var extFileinto = extension{
	name: "fileinto",
	specs: []*spec{
		{name: "fileinto", args: []argType{argString}, buildCmd: buildFileinto},
	},
}

func buildFileinto(c *compiler, a *call) cmdFunc {
	mailbox := c.val(a, 0)
	if mailbox.isConst() {
		if err := checkMailbox(mailbox.lit); err != nil {
			c.errorf(a.args[0].Pos, "%v", err)
			return nil
		}
	}
	fixed, hasFixed := flagsTag(c, a)
	copyTag, create := a.has("copy"), a.has("create")
	return func(r *run) error {
		name := mailbox.get(r)
		if err := checkMailbox(name); err != nil {
			return err
		}
		f := FileInto{Mailbox: name, Flags: r.actionFlags(fixed, hasFixed), Create: create, Copy: copyTag}
		return r.add(f, !copyTag)
	}
}

func checkMailbox(name string) error {
	if name == "" || !utf8.ValidString(name) {
		return fmt.Errorf("mailbox name %q is not a non-empty UTF-8 string", name)
	}
	return nil
}
