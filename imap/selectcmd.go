package imap

import (
	"slices"
	"strings"

	"zest/storage"
)

var selectCommands = map[string]commandSpec{
	"SELECT":   {states: authed, handle: handleSelect},
	"EXAMINE":  {states: authed, handle: handleSelect},
	"CLOSE":    {states: stateSelected, handle: handleClose},
	"UNSELECT": {states: stateSelected, handle: handleUnselect},
	// CHECK asks for a checkpoint (RFC 3501 §6.4.1; gone in RFC 9051):
	// every change is durable already, so it only reports updates.
	"CHECK": {states: stateSelected, handle: handleNoop},
}

// permanentFlags are the flags a client may set; \* allows new keywords.
const permanentFlags = `(\Answered \Flagged \Deleted \Seen \Draft \*)`

func handleSelect(c *conn, cmd *command) error {
	var name string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&name) {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	// Selecting ends the previous selection even when it fails (RFC 3501 §6.3.1).
	c.sel = nil
	c.state = stateAuth
	mb, err := c.srv.store.MailboxByName(c.ctx, c.account.ID, name)
	if err != nil {
		return err
	}
	box, msgs, err := c.srv.store.Snapshot(c.ctx, c.account.ID, mb.ID)
	if err != nil {
		return err
	}
	readOnly := cmd.name == "EXAMINE"
	v := newView(box, msgs, readOnly)
	v.claims, v.showRecent = c.srv.recent, !c.enabled["IMAP4rev2"]
	if box.UIDNext > 1 {
		// SELECT takes \Recent for what no session has seen; EXAMINE only
		// looks (RFC 3501 §6.3.2).
		upto := box.UIDNext - 1
		firstNew := box.UIDNext
		for i := len(msgs) - 1; i >= 0 && !msgs[i].SaveDate.Before(c.srv.started); i-- {
			firstNew = msgs[i].UID
		}
		from := c.srv.recent.peek(box.ID, firstNew)
		if !readOnly && v.showRecent { // IMAP4rev2 sessions never see \Recent, so take none
			from = c.srv.recent.claim(box.ID, upto, firstNew)
		}
		for _, m := range msgs {
			if m.UID >= from {
				v.recent[m.UID] = true
			}
		}
	}
	v.toldRecent = len(v.recent)

	// FLAGS lists the system flags and every keyword in use here.
	keywords := map[string]bool{}
	firstUnseen := 0
	for i, m := range msgs {
		for _, k := range m.Flags.Keywords {
			keywords[k] = true
		}
		if firstUnseen == 0 && m.Flags.System&storage.FlagSeen == 0 {
			firstUnseen = i + 1
		}
	}
	flags := []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`}
	var kw []string
	for k := range keywords {
		kw = append(kw, k)
	}
	slices.Sort(kw)
	flags = append(flags, kw...)
	c.enc.Raw("* FLAGS (").Raw(strings.Join(flags, " ")).Raw(")").CRLF()
	if readOnly {
		c.enc.Raw("* OK [PERMANENTFLAGS ()] read-only mailbox").CRLF()
	} else {
		c.enc.Raw("* OK [PERMANENTFLAGS ").Raw(permanentFlags).Raw("] flags permitted").CRLF()
	}
	c.enc.Raw("* ").Number(uint32(len(msgs))).Raw(" EXISTS").CRLF()
	if !c.enabled["IMAP4rev2"] {
		// RFC 9051 dropped \Recent and the UNSEEN code; IMAP4rev1 needs them.
		c.enc.Raw("* ").Number(uint32(len(v.recent))).Raw(" RECENT").CRLF()
		if firstUnseen > 0 {
			c.enc.Raw("* OK [UNSEEN ").Number(uint32(firstUnseen)).Raw("] first unseen message").CRLF()
		}
	}
	if c.enabled["IMAP4rev2"] {
		// RFC 9051 §6.3.2: SELECT returns the mailbox's LIST response.
		c.enc.Raw("* LIST () \"/\" ").Mailbox(box.Name).CRLF()
	}
	c.enc.Raw("* OK [UIDVALIDITY ").Number(box.UIDValidity).Raw("] UIDs valid").CRLF()
	c.enc.Raw("* OK [UIDNEXT ").Number(uint32(box.UIDNext)).Raw("] predicted next UID").CRLF()
	c.sel = v
	c.state = stateSelected
	code := "READ-WRITE"
	if readOnly {
		code = "READ-ONLY"
	}
	return &respError{status: "OK", code: code, text: cmd.name + " completed"}
}

func handleClose(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if c.sel.readOnly {
		c.sel, c.state = nil, stateAuth
		return nil
	}
	// CLOSE expunges \Deleted messages silently (RFC 3501 §6.4.2): no
	// EXPUNGE responses, since the selection ends with it.
	del, err := c.deletedMessages(nil, false)
	mailbox := c.sel.mailbox
	c.sel, c.state = nil, stateAuth
	if err != nil || len(del) == 0 {
		return err
	}
	_, err = c.srv.store.Expunge(c.ctx, c.account.ID, mailbox, del)
	return err
}

func handleUnselect(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	c.sel, c.state = nil, stateAuth
	return nil
}
