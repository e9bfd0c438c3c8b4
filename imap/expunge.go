package imap

import (
	"errors"

	"zest/storage"
)

var expungeCommands = map[string]commandSpec{
	"EXPUNGE":     {states: stateSelected, handle: handleExpunge},
	"UID EXPUNGE": {states: stateSelected, handle: handleExpunge},
}

// fewUIDs is how many UIDs UID EXPUNGE reads one by one; a larger set
// reads the whole mailbox once instead.
const fewUIDs = 64

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

// deletedMessages lists the selected mailbox's messages flagged \Deleted,
// among only when restrict is set. The mailbox record counts them, so a
// mailbox without any costs one read.
func (c *conn) deletedMessages(only []storage.UID, restrict bool) ([]storage.UID, error) {
	box, err := c.srv.store.Mailbox(c.ctx, c.account.ID, c.sel.mailbox)
	if err != nil {
		return nil, err
	}
	if box.Deleted == 0 {
		return nil, nil
	}
	var del []storage.UID
	if restrict && len(only) <= fewUIDs {
		for _, u := range only {
			m, err := c.srv.store.Message(c.ctx, c.account.ID, c.sel.mailbox, u)
			if errors.Is(err, storage.ErrNotFound) {
				continue // expunged by another session
			}
			if err != nil {
				return nil, err
			}
			if m.Flags.System&storage.FlagDeleted != 0 {
				del = append(del, u)
			}
		}
		return del, nil
	}
	_, msgs, err := c.srv.store.Snapshot(c.ctx, c.account.ID, c.sel.mailbox)
	if err != nil {
		return nil, err
	}
	want := map[storage.UID]bool{}
	for _, u := range only {
		want[u] = true
	}
	for _, m := range msgs {
		if m.Flags.System&storage.FlagDeleted != 0 && (!restrict || want[m.UID]) {
			del = append(del, m.UID)
		}
	}
	return del, nil
}
