package imap

import (
	"strings"

	"zest/storage"
)

var storeCommands = map[string]commandSpec{
	"STORE":     {states: stateSelected, handle: handleStore},
	"UID STORE": {states: stateSelected, handle: handleStore},
}

// storeArgs is one STORE command as parsed.
type storeArgs struct {
	op     storage.FlagOp
	silent bool
	flags  []string
	// unchangedSince is CONDSTORE's UNCHANGEDSINCE (RFC 7162 §3.1.3);
	// 0 means none. Nothing sets it yet: the modifier list goes between
	// the set and the data item name.
	unchangedSince uint64
}

// handleStore answers STORE and UID STORE (RFC 3501 §6.4.6, RFC 9051
// §6.4.6): FLAGS, +FLAGS and -FLAGS, each with .SILENT.
func handleStore(c *conn, cmd *command) error {
	uid := cmd.name == "UID STORE"
	if !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	set, _, ok := c.dec.ExpectNumSet(uid)
	if !ok || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	var args storeArgs
	var item string
	if !c.dec.ExpectAtom(&item) || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	// The atom reader stops at "\" but takes "+" and "-" in: the item is
	// one of six words.
	switch strings.ToUpper(item) {
	case "FLAGS":
		args.op = storage.FlagsReplace
	case "FLAGS.SILENT":
		args.op, args.silent = storage.FlagsReplace, true
	case "+FLAGS":
		args.op = storage.FlagsAdd
	case "+FLAGS.SILENT":
		args.op, args.silent = storage.FlagsAdd, true
	case "-FLAGS":
		args.op = storage.FlagsRemove
	case "-FLAGS.SILENT":
		args.op, args.silent = storage.FlagsRemove, true
	default:
		return bad("unknown STORE data item %s", item)
	}
	flags, err := c.readStoreFlags()
	if err != nil {
		return err
	}
	args.flags = flags
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if c.sel.readOnly {
		return no("READ-ONLY", "the mailbox is open read-only (EXAMINE)")
	}
	pos, err := c.sel.resolve(set, uid)
	if err != nil {
		return err
	}
	return c.storeFlags(pos, uid, &args)
}

// readStoreFlags reads a flag list "(\Seen $Label)" or, as RFC 3501
// store-att-flags also allows, flags separated by spaces without the
// parentheses.
func (c *conn) readStoreFlags() ([]string, error) {
	flags := []string{}
	var ferr error
	item := func() bool {
		f, err := c.readFlag()
		if err != nil {
			ferr = err
			return false
		}
		flags = append(flags, f)
		return true
	}
	if c.dec.List(item) {
		return flags, nil
	}
	if ferr != nil {
		return nil, ferr
	}
	if err := c.dec.Err(); err != nil {
		return nil, err
	}
	for {
		if !item() {
			return nil, ferr
		}
		if !c.dec.SP() {
			return flags, nil
		}
	}
}

// readFlag reads one flag a client may set: a system flag (\Seen, in any
// case, returned in its canonical spelling) or a keyword (an atom).
// \Recent cannot be set by a client, and other backslashed names are
// flag-extensions no RFC defines: both are refused (RFC 3501 §2.3.2,
// RFC 9051 §9 flag).
func (c *conn) readFlag() (string, error) {
	var name string
	if c.dec.Special('\\') {
		if !c.dec.ExpectAtom(&name) {
			return "", c.dec.Err()
		}
		for _, sys := range []string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`} {
			if strings.EqualFold(sys[1:], name) {
				return sys, nil
			}
		}
		if strings.EqualFold(name, "Recent") {
			return "", bad(`\Recent cannot be set by a client`)
		}
		return "", bad(`unknown system flag \%s`, name)
	}
	if !c.dec.ExpectAtom(&name) {
		return "", c.dec.Err()
	}
	return name, nil
}

// storeFlags changes the flags of the messages at positions pos of the
// view and reports the new flags of those that changed.
func (c *conn) storeFlags(pos []int, uid bool, args *storeArgs) error {
	if len(pos) == 0 {
		return nil
	}
	uids := make([]storage.UID, len(pos))
	for i, p := range pos {
		uids[i] = c.sel.uids[p]
	}
	res, err := c.srv.store.StoreFlags(c.ctx, c.account.ID, c.sel.mailbox, uids, args.op, args.flags, args.unchangedSince)
	if err != nil {
		return err
	}
	condstore := c.enabled["CONDSTORE"]
	for _, m := range res.Changed {
		i := c.sel.index(m.UID)
		if i < 0 {
			continue
		}
		// With .SILENT the client knows what it asked for; changes made by
		// other sessions after this one are still reported by sync.
		if !args.silent {
			c.enc.Raw("* ").Number(uint32(i + 1)).Raw(" FETCH (")
			if uid {
				c.enc.Raw("UID ").Number(uint32(m.UID)).SP()
			}
			c.enc.Raw("FLAGS ")
			writeFlags(c.enc, m.Flags, c.sel.isRecent(m.UID))
			if condstore {
				c.enc.Raw(" MODSEQ (").Number64(m.ModSeq).Special(')')
			}
			c.enc.Special(')').CRLF()
		}
		c.sel.sent(m)
	}
	// res.Modified is for CONDSTORE's [MODIFIED set] once UNCHANGEDSINCE
	// is parsed.
	return nil
}
