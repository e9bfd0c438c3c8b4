package imap

import (
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
	_, err = c.srv.store.Expunge(c.ctx, c.account.ID, c.sel.mailbox, del)
	return err
}

// deletedMessages lists the selected mailbox's messages flagged \Deleted
// (among only, when restrict is set), from the view's records after
// catching up with the store: no mailbox scan.
func (c *conn) deletedMessages(only []storage.UID, restrict bool) ([]storage.UID, error) {
	if err := c.freshen(false); err != nil {
		return nil, err
	}
	v := c.sel
	var del []storage.UID
	if restrict {
		for _, u := range only {
			if i := v.index(u); i >= 0 && !v.gone[u] && v.recs[i].Flags.System&storage.FlagDeleted != 0 {
				del = append(del, u)
			}
		}
		return del, nil
	}
	for i, m := range v.recs {
		if !v.gone[v.uids[i]] && m.Flags.System&storage.FlagDeleted != 0 {
			del = append(del, m.UID)
		}
	}
	return del, nil
}
