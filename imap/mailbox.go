package imap

import (
	"slices"
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

// specialUses are the attributes CREATE may give a mailbox (RFC 6154 §2).
var specialUses = map[string]string{}

func init() {
	for _, a := range []string{`\All`, `\Archive`, `\Drafts`, `\Flagged`, `\Junk`, `\Sent`, `\Trash`} {
		specialUses[strings.ToUpper(a)] = a
	}
}

// handleCreate creates a mailbox, with the special use given by
// CREATE-SPECIAL-USE's USE parameter (RFC 6154 §3).
func handleCreate(c *conn, cmd *command) error {
	var name string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&name) {
		return c.dec.Err()
	}
	var uses []string
	if c.dec.SP() {
		ok := c.dec.ExpectList(func() bool {
			var param string
			if !c.dec.ExpectAtom(&param) {
				return false
			}
			if !strings.EqualFold(param, "USE") {
				return c.dec.Failf("unknown CREATE parameter %s", param)
			}
			return c.dec.ExpectSP() && c.dec.ExpectList(func() bool {
				var use string
				if !c.dec.Special('\\') || !c.dec.ExpectAtom(&use) {
					return c.dec.Failf("expected a special-use attribute")
				}
				uses = append(uses, `\`+use)
				return true
			})
		})
		if !ok {
			return c.dec.Err()
		}
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	for i, u := range uses {
		canon, ok := specialUses[strings.ToUpper(u)]
		if !ok {
			return no("USEATTR", "unsupported special-use attribute %s", u)
		}
		uses[i] = canon
	}
	// A trailing delimiter says the client intends to create children
	// (RFC 3501 §6.3.3); the mailbox is created all the same.
	name = strings.TrimSuffix(name, storage.Delimiter)
	if storage.IsInbox(name) {
		return no("ALREADYEXISTS", "INBOX always exists")
	}
	_, err := c.srv.store.CreateMailbox(c.ctx, c.account.ID, name, uses...)
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

// listOptions are LIST-EXTENDED's selection and return options (RFC 5258
// §3, RFC 6154 §5.1, RFC 5819).
type listOptions struct {
	selSubscribed, selSpecialUse, recursive bool
	retSubscribed                           bool
	status                                  []string // LIST-STATUS items, or nil
}

// selects reports whether mb meets the selection options.
func (o *listOptions) selects(mb *storage.Mailbox) bool {
	return (!o.selSubscribed || mb.Subscribed) && (!o.selSpecialUse || len(mb.SpecialUse) > 0)
}

// handleList answers LIST and LSUB (RFC 3501 §6.3.8, §6.3.9) with the
// CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes, and LIST's
// extended forms: selection and return options and several patterns
// (LIST-EXTENDED, RFC 5258), STATUS (LIST-STATUS, RFC 5819).
func handleList(c *conn, cmd *command) error {
	lsub := cmd.name == "LSUB"
	var opt listOptions
	if !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	if !lsub && c.dec.Peek('(') {
		if !c.listSelectOpts(&opt) || !c.dec.ExpectSP() {
			return c.dec.Err()
		}
	}
	var ref string
	if !c.dec.ExpectMailbox(&ref) || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	var patterns []string
	if !lsub && c.dec.Peek('(') {
		ok := c.dec.ExpectList(func() bool {
			var p string
			patterns = append(patterns, "")
			ok := c.listPattern(&p)
			patterns[len(patterns)-1] = p
			return ok
		})
		if !ok {
			return c.dec.Err()
		}
		if len(patterns) == 0 {
			return bad("LIST needs at least one pattern")
		}
	} else {
		var p string
		if !c.listPattern(&p) {
			return c.dec.Err()
		}
		patterns = []string{p}
	}
	if !lsub && c.dec.SP() {
		if !c.listReturnOpts(&opt) {
			return c.dec.Err()
		}
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if opt.recursive && !opt.selSubscribed && !opt.selSpecialUse {
		// RFC 5258 §3.1: RECURSIVEMATCH alone (or with REMOTE) is an error.
		return bad("RECURSIVEMATCH needs another selection option")
	}
	if opt.selSubscribed {
		opt.retSubscribed = true // RFC 5258 §3.1: SUBSCRIBED implies its return option
	}
	for i, p := range patterns {
		if !c.dec.UTF8 {
			var err error
			if patterns[i], err = decodeListPattern(p); err != nil {
				return bad("pattern: %v", err)
			}
		}
	}
	if len(patterns) == 1 && patterns[0] == "" && !opt.selSubscribed && !opt.selSpecialUse {
		// The hierarchy delimiter and root (RFC 3501 §6.3.8).
		c.enc.Raw("* ").Raw(cmd.name).Raw(` (\Noselect) "/" ""`).CRLF()
		return nil
	}
	boxes, err := c.srv.store.Mailboxes(c.ctx, c.account.ID)
	if err != nil {
		return err
	}
	if lsub {
		opt.selSubscribed = true
	}
	hasChildren := map[string]bool{}
	childSelected := map[string]bool{} // a descendant meets the selection options
	for _, mb := range boxes {
		sel := opt.selects(mb)
		for p := mb.Name; ; {
			i := strings.LastIndex(p, storage.Delimiter)
			if i <= 0 {
				break
			}
			p = p[:i]
			hasChildren[p] = true
			if sel {
				childSelected[p] = true
			}
		}
	}
	for _, mb := range boxes {
		match := false
		for _, p := range patterns {
			// RFC 3501 §6.3.8: the reference is prefixed as it is.
			if p != "" && matchPattern(ref+p, mb.Name) {
				match = true
				break
			}
		}
		if !match {
			continue
		}
		selected := opt.selects(mb)
		childInfo := opt.recursive && childSelected[mb.Name]
		if !selected && !childInfo {
			continue
		}
		var attrs []string
		if hasChildren[mb.Name] {
			attrs = append(attrs, `\HasChildren`)
		} else {
			attrs = append(attrs, `\HasNoChildren`)
		}
		if opt.retSubscribed && mb.Subscribed && !lsub {
			attrs = append(attrs, `\Subscribed`)
		}
		if !lsub {
			attrs = append(attrs, mb.SpecialUse...)
		}
		c.enc.Raw("* ").Raw(cmd.name).Raw(" (").Raw(strings.Join(attrs, " ")).Raw(`) "/" `).Mailbox(mb.Name)
		if childInfo {
			// RFC 5258 §3.5: which selection options a descendant meets.
			c.enc.Raw(` ("CHILDINFO" (`)
			var kinds []string
			if opt.selSubscribed {
				kinds = append(kinds, `"SUBSCRIBED"`)
			}
			if opt.selSpecialUse {
				kinds = append(kinds, `"SPECIAL-USE"`)
			}
			c.enc.Raw(strings.Join(kinds, " ")).Raw("))")
		}
		c.enc.CRLF()
		if opt.status != nil && selected {
			// RFC 5819 §2: STATUS right after the mailbox's LIST line.
			writeStatus(c, mb, opt.status)
		}
	}
	return nil
}

// listPattern reads a LIST pattern, which may hold wildcards an astring
// does not allow.
func (c *conn) listPattern(p *string) bool {
	if !c.dec.String(p) && (c.dec.Err() != nil || !c.dec.Func(p, isListChar)) {
		return c.dec.Failf("expected a mailbox pattern")
	}
	return true
}

// listSelectOpts reads "(" [option *(SP option)] ")" (RFC 5258 §6).
func (c *conn) listSelectOpts(o *listOptions) bool {
	return c.dec.ExpectList(func() bool {
		var s string
		if !c.dec.ExpectAtom(&s) {
			return false
		}
		switch strings.ToUpper(s) {
		case "SUBSCRIBED":
			o.selSubscribed = true
		case "REMOTE":
			// No remote mailboxes here: nothing to add.
		case "RECURSIVEMATCH":
			o.recursive = true
		case "SPECIAL-USE":
			o.selSpecialUse = true
		default:
			return c.dec.Failf("unknown LIST selection option %s", s)
		}
		return true
	})
}

// listReturnOpts reads "RETURN (" [option *(SP option)] ")".
func (c *conn) listReturnOpts(o *listOptions) bool {
	var word string
	if !c.dec.ExpectAtom(&word) {
		return false
	}
	if !strings.EqualFold(word, "RETURN") {
		return c.dec.Failf("expected RETURN")
	}
	if !c.dec.ExpectSP() {
		return false
	}
	return c.dec.ExpectList(func() bool {
		var s string
		if !c.dec.ExpectAtom(&s) {
			return false
		}
		switch strings.ToUpper(s) {
		case "SUBSCRIBED":
			o.retSubscribed = true
		case "CHILDREN":
			// \HasChildren and \HasNoChildren are always returned.
		case "SPECIAL-USE":
			// Special-use attributes are always returned.
		case "STATUS":
			var items []string
			if !c.dec.ExpectSP() || !c.statusItemList(&items) {
				return false
			}
			o.status = append(o.status[:0:0], items...)
		default:
			return c.dec.Failf("unknown LIST return option %s", s)
		}
		return true
	})
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
var statusItems = map[string]bool{"MESSAGES": true, "UIDNEXT": true, "UIDVALIDITY": true, "UNSEEN": true, "RECENT": true, "DELETED": true, "SIZE": true, "HIGHESTMODSEQ": true, "MONOINCUID": true}

// handleStatus answers STATUS from the mailbox counters, which the store
// keeps exact, so no message is read (RFC 3501 §6.3.10, RFC 8438 SIZE,
// RFC 9051 DELETED).
func handleStatus(c *conn, cmd *command) error {
	var name string
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&name) || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	var items []string
	if !c.statusItemList(&items) {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	mb, err := c.srv.store.MailboxByName(c.ctx, c.account.ID, name)
	if err != nil {
		return err
	}
	if slices.Contains(items, "HIGHESTMODSEQ") {
		c.enableCondstore() // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) enables CONDSTORE
	}
	writeStatus(c, mb, items)
	return nil
}

// statusItemList reads a parenthesised list of STATUS items.
func (c *conn) statusItemList(items *[]string) bool {
	return c.dec.ExpectList(func() bool {
		var item string
		if !c.dec.ExpectAtom(&item) {
			return false
		}
		item = strings.ToUpper(item)
		if !statusItems[item] {
			return c.dec.Failf("unknown STATUS item %s", item)
		}
		*items = append(*items, item)
		return true
	})
}

// writeStatus writes one STATUS response from the mailbox's counters.
func writeStatus(c *conn, mb *storage.Mailbox, items []string) {
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
			// The UIDs no session has been told about yet. Expunged ones
			// among them cannot be told apart without reading the
			// mailbox, so the count is bounded by MESSAGES.
			n := int64(0)
			if mb.UIDNext > 1 {
				n = int64(mb.UIDNext) - int64(c.srv.recent.peek(mb.ID, mb.UIDNext))
			}
			c.enc.Number(uint32(min(max(n, 0), int64(mb.Messages))))
		case "DELETED":
			c.enc.Number(mb.Deleted)
		case "SIZE":
			c.enc.Number64(uint64(mb.Size))
		case "HIGHESTMODSEQ":
			c.enc.Number64(mb.HighestModSeq)
		case "MONOINCUID":
			// The store allocates UIDs in commit order and never lowers
			// UIDNEXT, so every mailbox keeps the promise (MONOINCUID draft §2.1).
			c.enc.Number(1)
		}
	}
	c.enc.Raw(")").CRLF()
}
