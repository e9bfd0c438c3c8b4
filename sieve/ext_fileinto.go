package sieve

import "unicode/utf8"

// extFileinto is fileinto (RFC 5228 §4.1). spec: SV-04, SV-16
var extFileinto = extension{
	name: "fileinto",
	specs: []*spec{
		{name: "fileinto", args: []argType{argString}, buildCmd: buildFileinto},
	},
}

func buildFileinto(c *compiler, a *call) cmdFunc {
	mailbox := a.str(0)
	if !utf8.ValidString(mailbox) || mailbox == "" {
		c.errorf(a.args[0].Pos, "mailbox name %q is not a non-empty UTF-8 string", mailbox)
		return nil
	}
	fixed, hasFixed := flagsTag(c, a)
	copyTag, create := a.has("copy"), a.has("create")
	return func(r *run) error {
		f := FileInto{Mailbox: mailbox, Flags: r.actionFlags(fixed, hasFixed), Create: create, Copy: copyTag}
		return r.add(f, !copyTag)
	}
}
