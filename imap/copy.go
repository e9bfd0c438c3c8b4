package imap

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

var copyCommands = map[string]commandSpec{
	"COPY":     {states: stateSelected, handle: handleCopy},
	"UID COPY": {states: stateSelected, handle: handleCopy},
	"MOVE":     {states: stateSelected, handle: handleCopy},
	"UID MOVE": {states: stateSelected, handle: handleCopy},
}

// handleCopy answers COPY and UID COPY (RFC 3501 §6.4.7, with UIDPLUS's
// COPYUID, RFC 4315 §3), and MOVE and UID MOVE (RFC 6851).
func handleCopy(c *conn, cmd *command) error {
	uid := strings.HasPrefix(cmd.name, "UID ")
	move := strings.HasSuffix(cmd.name, "MOVE")
	var dest string
	if !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	set, _, ok := c.dec.ExpectNumSet(uid)
	if !ok || !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&dest) {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if move && c.sel.readOnly {
		return no("READ-ONLY", "the mailbox is open read-only (EXAMINE): messages cannot be moved out")
	}
	pos, err := c.sel.resolve(set, uid)
	if err != nil {
		return err
	}
	to, err := c.srv.store.MailboxByName(c.ctx, c.account.ID, dest)
	if errors.Is(err, storage.ErrNoSuchMailbox) {
		// RFC 3501 §6.4.7: the client may create it and try again.
		return no("TRYCREATE", "no mailbox %s", dest)
	}
	if err != nil {
		return err
	}
	if move && to.ID == c.sel.mailbox {
		return no("CANNOT", "cannot move messages into the mailbox they are in")
	}
	if len(pos) == 0 {
		return nil // e.g. UID COPY of UIDs that no longer exist
	}
	uids := make([]storage.UID, len(pos))
	for i, p := range pos {
		uids[i] = c.sel.uids[p]
	}
	res, err := c.srv.store.Copy(c.ctx, c.account.ID, c.sel.mailbox, uids, to.ID, move)
	if err != nil {
		return err
	}
	if len(res.Source) == 0 {
		return nil // every message was expunged meanwhile
	}
	code := "COPYUID " + strconv.FormatUint(uint64(res.UIDValidity), 10) + " " + uidSetString(res.Source) + " " + uidSetString(res.Dest)
	if !move {
		return &respError{status: "OK", code: code, text: cmd.name + " completed"}
	}
	// RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
	c.enc.Raw("* OK [").Raw(code).Raw("] moved").CRLF()
	c.tellExpunged(res.Source)
	return nil
}

// tellExpunged sends EXPUNGE for messages this session removed itself and
// drops them from the view. The highest sequence number goes first, so
// every number sent is still right when the client reads it.
func (c *conn) tellExpunged(uids []storage.UID) {
	if c.enabled["QRESYNC"] {
		// RFC 7162 §3.2.10.2: VANISHED replaces EXPUNGE once QRESYNC is on.
		var known []storage.UID
		for _, u := range uids {
			if c.sel.index(u) >= 0 {
				known = append(known, u)
			}
		}
		if len(known) > 0 {
			slices.Sort(known)
			c.enc.Raw("* VANISHED ").Raw(uidSetString(known)).CRLF()
			c.sel.forget(known)
		}
		return
	}
	pos := make([]int, 0, len(uids))
	for _, u := range uids {
		if i := c.sel.index(u); i >= 0 {
			pos = append(pos, i)
		}
	}
	slices.Sort(pos)
	for _, p := range slices.Backward(pos) {
		c.enc.Raw("* ").Number(uint32(p + 1)).Raw(" EXPUNGE").CRLF()
	}
	c.sel.forget(uids)
}

// uidSetString writes ascending UIDs as a compact set ("1:3,7").
func uidSetString(uids []storage.UID) string {
	var set imap.UIDSet
	for _, u := range uids {
		if n := len(set); n > 0 && uint32(set[n-1].Stop)+1 == uint32(u) {
			set[n-1].Stop = imap.UID(u)
			continue
		}
		set = append(set, imap.UIDRange{Start: imap.UID(u), Stop: imap.UID(u)})
	}
	return set.String()
}
