package imap

import (
	"slices"
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
	// unchangedSince is CONDSTORE's UNCHANGEDSINCE (RFC 7162 §3.1.3), or
	// storage.Unconditional.
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
	args := storeArgs{unchangedSince: storage.Unconditional}
	if c.dec.Peek('(') {
		if err := c.readStoreModifiers(&args); err != nil {
			return err
		}
		if !c.dec.ExpectSP() {
			return c.dec.Err()
		}
	}
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
	if args.unchangedSince != storage.Unconditional {
		c.enableCondstore() // RFC 7162 §3.1: STORE UNCHANGEDSINCE enables it
	}
	pos, err := c.sel.resolve(set, uid)
	if err != nil {
		return err
	}
	return c.storeFlags(pos, uid, &args)
}

// readStoreModifiers reads "(UNCHANGEDSINCE n)" (RFC 7162 §3.1.3; the
// store-modifier list of RFC 4466 §2.5).
func (c *conn) readStoreModifiers(args *storeArgs) error {
	seen := false
	ok := c.dec.ExpectList(func() bool {
		var name string
		if !c.dec.ExpectAtom(&name) {
			return false
		}
		if !strings.EqualFold(name, "UNCHANGEDSINCE") {
			return c.dec.Failf("unknown STORE modifier %s", name)
		}
		if seen {
			return c.dec.Failf("UNCHANGEDSINCE given twice") // RFC 7162 §7 (QR-19)
		}
		seen = true
		var n uint64
		if !c.dec.ExpectSP() || !c.dec.ExpectNumber64(&n) {
			return false
		}
		if n > maxModSeq {
			return c.dec.Failf("mod-sequence %d is above 2^63-1", n)
		}
		args.unchangedSince = n
		return true
	})
	if !ok {
		return c.dec.Err()
	}
	return nil
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
	conditional := args.unchangedSince != storage.Unconditional
	report := func(m *storage.Message) {
		i := c.sel.index(m.UID)
		if i < 0 {
			return
		}
		c.enc.Raw("* ").Number(uint32(i + 1)).Raw(" FETCH (")
		if uid || condstore {
			// RFC 7162 §3.2.4: CONDSTORE sessions get the UID in every FETCH.
			c.enc.Raw("UID ").Number(uint32(m.UID)).SP()
		}
		c.enc.Raw("FLAGS ")
		writeFlags(c.enc, m.Flags, c.sel.isRecent(m.UID))
		if condstore {
			c.enc.Raw(" MODSEQ (").Number64(m.ModSeq).Special(')')
		}
		c.enc.Special(')').CRLF()
		c.sel.sent(m)
	}
	for _, m := range res.Changed {
		// With .SILENT the client knows what it asked for, except the new
		// mod-sequence, which a conditional STORE always reports (RFC 7162
		// §3.1.3). Changes made by other sessions are reported by sync.
		if !args.silent || conditional {
			report(m)
		} else {
			c.sel.sent(m)
		}
	}
	if len(res.Modified) == 0 {
		return nil
	}
	// The messages that failed the test: their current state, so the
	// client need not fetch it (RFC 7162 §3.1.3, QR-20), and the set in
	// the MODIFIED code, by UID for UID STORE.
	var nums []uint32
	for _, m := range res.Modified {
		i := c.sel.index(m.UID)
		if i < 0 {
			continue
		}
		report(m)
		if uid {
			nums = append(nums, uint32(m.UID))
		} else {
			nums = append(nums, uint32(i+1))
		}
	}
	slices.Sort(nums)
	set := make([]storage.UID, len(nums))
	for i, n := range nums {
		set[i] = storage.UID(n)
	}
	return &respError{status: "OK", code: "MODIFIED " + uidSetString(set), text: "some messages were changed by others; they were left alone"}
}
