package imap

import (
	"strings"

	"zest/imap/wire"
	"zest/storage"
)

var mailboxCommands = map[string]commandSpec{
	"CREATE":      {states: authed, handle: handleCreate},
	"DELETE":      {states: authed, handle: handleDelete},
	"RENAME":      {states: authed, handle: handleRename},
	"SUBSCRIBE":   {states: authed, handle: handleSubscribe},
	"UNSUBSCRIBE": {states: authed, handle: handleSubscribe},
	"LIST":        {states: authed, handle: handleList},
	"LSUB":        {states: authed, handle: handleList},
	"STATUS":      {states: authed, handle: handleStatus},
}

// oneMailboxArg reads " mailbox" CRLF.
func (c *conn) oneMailboxArg() (string, error) {
	var name string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&name) {
		return "", c.dec.Err()
	}
	return name, c.endOfArgs()
}

func handleCreate(c *conn, cmd *command) error {
	name, err := c.oneMailboxArg()
	if err != nil {
		return err
	}
	// A trailing delimiter says the client intends to create children
	// (RFC 3501 §6.3.3); the mailbox is created all the same.
	name = strings.TrimSuffix(name, storage.Delimiter)
	if storage.IsInbox(name) {
		return no("ALREADYEXISTS", "INBOX always exists")
	}
	_, err = c.srv.store.CreateMailbox(c.ctx, c.account.ID, name)
	return err
}

func handleDelete(c *conn, cmd *command) error {
	name, err := c.oneMailboxArg()
	if err != nil {
		return err
	}
	if c.sel != nil && c.sel.name == storage.CanonicalMailboxName(name) {
		// Deleting the selected mailbox ends the selection.
		c.sel, c.state = nil, stateAuth
	}
	return c.srv.store.DeleteMailbox(c.ctx, c.account.ID, name)
}

func handleRename(c *conn, cmd *command) error {
	var from, to string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&from) || !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&to) {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	return c.srv.store.RenameMailbox(c.ctx, c.account.ID, from, to)
}

func handleSubscribe(c *conn, cmd *command) error {
	name, err := c.oneMailboxArg()
	if err != nil {
		return err
	}
	return c.srv.store.SetSubscribed(c.ctx, c.account.ID, name, cmd.name == "SUBSCRIBE")
}

// handleList answers LIST and LSUB (RFC 3501 §6.3.8, §6.3.9) with the
// CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes.
func handleList(c *conn, cmd *command) error {
	var ref, pattern string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&ref) || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	// The pattern may hold wildcards, which an astring does not allow.
	if !c.dec.String(&pattern) && (c.dec.Err() != nil || !c.dec.Func(&pattern, isListChar)) {
		c.dec.Failf("expected a mailbox pattern")
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if !c.dec.UTF8 {
		var err error
		if pattern, err = decodeListPattern(pattern); err != nil {
			return bad("pattern: %v", err)
		}
	}
	lsub := cmd.name == "LSUB"
	if pattern == "" {
		// The hierarchy delimiter and root (RFC 3501 §6.3.8).
		c.enc.Raw("* ").Raw(cmd.name).Raw(` (\Noselect) "/" ""`).CRLF()
		return nil
	}
	full := ref + pattern // RFC 3501 §6.3.8: the reference is prefixed as it is
	boxes, err := c.srv.store.Mailboxes(c.ctx, c.account.ID)
	if err != nil {
		return err
	}
	hasChildren := map[string]bool{}
	for _, mb := range boxes {
		if i := strings.LastIndex(mb.Name, storage.Delimiter); i > 0 {
			for p := mb.Name[:i]; ; {
				hasChildren[p] = true
				j := strings.LastIndex(p, storage.Delimiter)
				if j <= 0 {
					break
				}
				p = p[:j]
			}
		}
	}
	for _, mb := range boxes {
		if lsub && !mb.Subscribed || !matchPattern(full, mb.Name) {
			continue
		}
		var attrs []string
		if hasChildren[mb.Name] {
			attrs = append(attrs, `\HasChildren`)
		} else {
			attrs = append(attrs, `\HasNoChildren`)
		}
		if !lsub {
			attrs = append(attrs, mb.SpecialUse...)
		}
		c.enc.Raw("* ").Raw(cmd.name).Raw(" (").Raw(strings.Join(attrs, " ")).Raw(`) "/" `).Mailbox(mb.Name).CRLF()
	}
	return nil
}

func isListChar(b byte) bool { return wire.IsAStringChar(b) || b == '%' || b == '*' }

// decodeListPattern decodes modified UTF-7 around the wildcards.
func decodeListPattern(p string) (string, error) {
	var b strings.Builder
	for p != "" {
		i := strings.IndexAny(p, "*%")
		if i < 0 {
			i = len(p)
		}
		part, err := wire.DecodeMUTF7(p[:i])
		if err != nil {
			return "", err
		}
		b.WriteString(part)
		if i < len(p) {
			b.WriteByte(p[i])
			i++
		}
		p = p[i:]
	}
	return b.String(), nil
}

// matchPattern matches a LIST pattern: "*" matches anything, "%" anything
// but the hierarchy delimiter. INBOX matches case-insensitively.
func matchPattern(pattern, name string) bool {
	if strings.EqualFold(name, "INBOX") && strings.EqualFold(pattern, "INBOX") {
		return true
	}
	if len(pattern) >= 5 && strings.EqualFold(pattern[:5], "INBOX") && strings.HasPrefix(name, "INBOX") {
		pattern = "INBOX" + pattern[5:]
	}
	// Iterative glob with backtracking to the last star; "%" backtracks
	// only within one level.
	p, n := 0, 0
	starP, starN := -1, 0
	pctP, pctN := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			starP, starN = p, n
			pctP = -1
			p++
		case p < len(pattern) && pattern[p] == '%':
			pctP, pctN = p, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p++
			n++
		case pctP >= 0 && name[pctN] != '/':
			pctN++
			p, n = pctP+1, pctN
		case starP >= 0:
			starN++
			p, n = starP+1, starN
			pctP = -1
		default:
			return false
		}
	}
	for p < len(pattern) && (pattern[p] == '*' || pattern[p] == '%') {
		p++
	}
	return p == len(pattern)
}

// statusItems are the STATUS data items this server answers.
var statusItems = map[string]bool{"MESSAGES": true, "UIDNEXT": true, "UIDVALIDITY": true, "UNSEEN": true, "RECENT": true, "DELETED": true, "SIZE": true}

// handleStatus answers STATUS from the mailbox counters, which the store
// keeps exact, so no message is read (RFC 3501 §6.3.10, RFC 8438 SIZE,
// RFC 9051 DELETED).
func handleStatus(c *conn, cmd *command) error {
	var name string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&name) || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	var items []string
	ok := c.dec.ExpectList(func() bool {
		var item string
		if !c.dec.ExpectAtom(&item) {
			return false
		}
		item = strings.ToUpper(item)
		if !statusItems[item] {
			return c.dec.Failf("unknown STATUS item %s", item)
		}
		items = append(items, item)
		return true
	})
	if !ok {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	mb, err := c.srv.store.MailboxByName(c.ctx, c.account.ID, name)
	if err != nil {
		return err
	}
	c.enc.Raw("* STATUS ").Mailbox(mb.Name).Raw(" (")
	for i, item := range items {
		if i > 0 {
			c.enc.SP()
		}
		c.enc.Raw(item).SP()
		switch item {
		case "MESSAGES":
			c.enc.Number(mb.Messages)
		case "UIDNEXT":
			c.enc.Number(uint32(mb.UIDNext))
		case "UIDVALIDITY":
			c.enc.Number(mb.UIDValidity)
		case "UNSEEN":
			c.enc.Number(mb.Unseen)
		case "RECENT":
			c.enc.Number(0)
		case "DELETED":
			c.enc.Number(mb.Deleted)
		case "SIZE":
			c.enc.Number64(uint64(mb.Size))
		}
	}
	c.enc.Raw(")").CRLF()
	return nil
}
