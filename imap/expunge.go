package imap

import (
	"slices"
	"strconv"

	"zest/storage"
)

var expungeCommands = map[string]commandSpec{
	"EXPUNGE":     {states: stateSelected, handle: handleExpunge},
	"UID EXPUNGE": {states: stateSelected, handle: handleExpunge},
}

// handleExpunge answers EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315
// §2.1). It only removes messages; the EXPUNGE responses come from the
// session's update path (conn.reply), which reads the store's tombstones,
// so they are sent once, in this command's response.
func handleExpunge(c *conn, cmd *command) error {
	uid := cmd.name == "UID EXPUNGE"
	var only []storage.UID // UID EXPUNGE: the messages it may remove
	if uid {
		if !c.dec.ExpectSP() {
			return c.dec.Err()
		}
		set, _, ok := c.dec.ExpectNumSet(true)
		if !ok {
			return c.dec.Err()
		}
		if err := c.endOfArgs(); err != nil {
			return err
		}
		pos, err := c.sel.resolve(set, true)
		if err != nil {
			return err
		}
		only = make([]storage.UID, len(pos))
		for i, p := range pos {
			only[i] = c.sel.uids[p]
		}
	} else if err := c.endOfArgs(); err != nil {
		return err
	}
	if c.sel.readOnly {
		return no("READ-ONLY", "the mailbox is open read-only (EXAMINE)")
	}
	if uid && len(only) == 0 {
		return nil
	}
	del, err := c.deletedMessages(only, uid)
	if err != nil || len(del) == 0 {
		return err
	}
	removed, err := c.srv.store.Expunge(c.ctx, c.account.ID, c.sel.mailbox, del)
	if err != nil || len(removed) == 0 || !c.enabled["QRESYNC"] {
		return err
	}
	// RFC 7162 §3.2.7: the tagged OK carries the new HIGHESTMODSEQ, so the
	// VANISHED it covers go out first.
	if err := c.syncWith(true, true); err != nil {
		return err
	}
	return &respError{status: "OK", code: "HIGHESTMODSEQ " + strconv.FormatUint(c.sel.highestModSeq(), 10), text: cmd.name + " completed"}
}

// deletedMessages lists the selected mailbox's messages flagged \Deleted
// (among only, when restrict is set), from the store's \Deleted index
// after catching up with the store: no mailbox scan.
func (c *conn) deletedMessages(only []storage.UID, restrict bool) ([]storage.UID, error) {
	if err := c.freshen(false); err != nil {
		return nil, err
	}
	flagged, err := c.srv.store.DeletedUIDs(c.ctx, c.account.ID, c.sel.mailbox)
	if err != nil {
		return nil, err
	}
	v := c.sel
	var del []storage.UID
	for _, u := range flagged {
		if v.index(u) < 0 || v.gone[u] {
			continue // not (or no longer) a message this session knows
		}
		if restrict {
			if _, ok := slices.BinarySearch(only, u); !ok {
				continue
			}
		}
		del = append(del, u)
	}
	return del, nil
}
