package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"zest/storage/kv"
)

func (tx *wtx) createMailbox(a AccountID, name string, specialUse []string) (*Mailbox, error) {
	name = CanonicalMailboxName(name)
	if err := CheckMailboxName(name); err != nil {
		return nil, err
	}
	if _, err := tx.Get(mailboxNameKey(a, name)); err == nil {
		return nil, fmt.Errorf("mailbox %q: %w", name, ErrExists)
	} else if !errors.Is(err, kv.ErrNotFound) {
		return nil, err
	}
	id, err := tx.nextSeq("mailbox", 1)
	if err != nil {
		return nil, err
	}
	// UIDVALIDITY comes from one store-wide counter that starts at the
	// current time, so a mailbox deleted and re-created under the same name
	// never repeats a value (RFC 3501 §2.3.1.1, MONOINCUID).
	uv, err := tx.nextSeq("uidvalidity", uint64(tx.s.now().Unix()))
	if err != nil {
		return nil, err
	}
	if uv > 0xffffffff {
		return nil, errors.New("UIDVALIDITY space exhausted")
	}
	mb := &Mailbox{
		ID: MailboxID(id), Account: a, Name: name, UIDValidity: uint32(uv), UIDNext: 1,
		HighestModSeq: 1, SpecialUse: specialUse, Subscribed: true,
	}
	if err := tx.putMailbox(mb); err != nil {
		return nil, err
	}
	if err := tx.Set(mailboxNameKey(a, name), binary.BigEndian.AppendUint64(nil, id)); err != nil {
		return nil, err
	}
	tx.emit(Event{Kind: MailboxCreate, Account: a, Mailbox: mb.ID, MailboxName: name, UIDValidity: mb.UIDValidity, ModSeq: mb.HighestModSeq})
	return mb, nil
}

func (tx *wtx) putMailbox(mb *Mailbox) error {
	return tx.Set(mailboxKey(mb.Account, mb.ID), encodeMailbox(mb))
}

func readMailbox(r kv.Reader, a AccountID, id MailboxID) (*Mailbox, error) {
	v, err := getRecord(r, mailboxKey(a, id), ErrNoSuchMailbox)
	if err != nil {
		return nil, err
	}
	return decodeMailbox(a, id, v)
}

func mailboxByName(r kv.Reader, a AccountID, name string) (*Mailbox, error) {
	v, err := getRecord(r, mailboxNameKey(a, name), ErrNoSuchMailbox)
	if err != nil {
		return nil, fmt.Errorf("mailbox %q: %w", name, err)
	}
	if len(v) != 8 {
		return nil, errCorrupt
	}
	return readMailbox(r, a, MailboxID(binary.BigEndian.Uint64(v)))
}

// Mailboxes lists an account's mailboxes in name order.
func (s *Store) Mailboxes(ctx context.Context, a AccountID) ([]*Mailbox, error) {
	var out []*Mailbox
	// Listed through the name index: a mailbox being deleted has lost its
	// name already and is no longer shown.
	err := s.view(func(r kv.Reader) error {
		return r.Scan(mailboxNamePrefix(a), nil, false, func(k, v []byte) (bool, error) {
			if len(v) != 8 {
				return false, errCorrupt
			}
			mb, err := readMailbox(r, a, MailboxID(binary.BigEndian.Uint64(v)))
			if err != nil {
				return false, err
			}
			out = append(out, mb)
			return true, nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// MailboxByName returns an account's mailbox by name (INBOX in any case).
func (s *Store) MailboxByName(ctx context.Context, a AccountID, name string) (*Mailbox, error) {
	var mb *Mailbox
	err := s.view(func(r kv.Reader) error {
		var err error
		mb, err = mailboxByName(r, a, name)
		return err
	})
	return mb, err
}

// Mailbox returns an account's mailbox by ID.
func (s *Store) Mailbox(ctx context.Context, a AccountID, id MailboxID) (*Mailbox, error) {
	var mb *Mailbox
	err := s.view(func(r kv.Reader) error {
		var err error
		mb, err = readMailbox(r, a, id)
		return err
	})
	return mb, err
}

// CreateMailbox creates a mailbox and any missing parents of it
// (RFC 3501 §6.3.3).
func (s *Store) CreateMailbox(ctx context.Context, a AccountID, name string, specialUse ...string) (*Mailbox, error) {
	name = CanonicalMailboxName(name)
	if err := CheckMailboxName(name); err != nil {
		return nil, err
	}
	var mb *Mailbox
	err := s.write(ctx, "create mailbox", func(tx *wtx) error {
		if _, err := readAccount(tx, a); err != nil {
			return err
		}
		var err error
		mb, err = tx.createMailboxPath(a, name)
		if err != nil {
			return err
		}
		if len(specialUse) > 0 {
			mb.SpecialUse = specialUse
			return tx.putMailbox(mb)
		}
		return nil
	})
	return mb, err
}

// SetSubscribed records an IMAP SUBSCRIBE or UNSUBSCRIBE.
func (s *Store) SetSubscribed(ctx context.Context, a AccountID, name string, subscribed bool) error {
	return s.write(ctx, "subscribe", func(tx *wtx) error {
		mb, err := mailboxByName(tx, a, name)
		if err != nil {
			return err
		}
		mb.Subscribed = subscribed
		kind := MailboxSubscribe
		if !subscribed {
			kind = MailboxUnSubscribe
		}
		tx.emit(Event{Kind: kind, Account: a, Mailbox: mb.ID, MailboxName: mb.Name, UIDValidity: mb.UIDValidity})
		return tx.putMailbox(mb)
	})
}

// RenameMailbox renames a mailbox and every mailbox below it. A renamed
// mailbox keeps its ID, and with it its UIDVALIDITY, UIDs and UIDNEXT
// (spec MU-14). Renaming INBOX is different: see renameInbox.
func (s *Store) RenameMailbox(ctx context.Context, a AccountID, from, to string) error {
	from, to = CanonicalMailboxName(from), CanonicalMailboxName(to)
	if err := CheckMailboxName(to); err != nil {
		return err
	}
	if IsInbox(to) || strings.HasPrefix(to, "INBOX/") && IsInbox(from) {
		return fmt.Errorf("%w: cannot rename to %q", ErrInvalidName, to)
	}
	if strings.HasPrefix(to+Delimiter, from+Delimiter) {
		return fmt.Errorf("%w: cannot rename %q under itself", ErrInvalidName, from)
	}
	if IsInbox(from) {
		return s.renameInbox(ctx, a, to)
	}
	return s.write(ctx, "rename mailbox", func(tx *wtx) error {
		src, err := mailboxByName(tx, a, from)
		if err != nil {
			return err
		}
		if err := tx.claimName(a, to); err != nil {
			return err
		}
		renames := []*Mailbox{src}
		err = tx.Scan(mailboxNamePrefix(a), nil, false, func(k, v []byte) (bool, error) {
			if strings.HasPrefix(string(k[9:]), from+Delimiter) {
				mb, err := readMailbox(tx, a, MailboxID(binary.BigEndian.Uint64(v)))
				if err != nil {
					return false, err
				}
				renames = append(renames, mb)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, mb := range renames {
			old := mb.Name
			mb.Name = to + strings.TrimPrefix(old, from)
			if err := tx.Delete(mailboxNameKey(a, old)); err != nil {
				return err
			}
			if err := tx.Set(mailboxNameKey(a, mb.Name), binary.BigEndian.AppendUint64(nil, uint64(mb.ID))); err != nil {
				return err
			}
			if err := tx.putMailbox(mb); err != nil {
				return err
			}
			tx.emit(Event{Kind: MailboxRename, Account: a, Mailbox: mb.ID, MailboxName: mb.Name, OldName: old, UIDValidity: mb.UIDValidity})
		}
		return nil
	})
}

// claimName checks that a rename may take the name to, and creates its
// missing parents, as CREATE would.
func (tx *wtx) claimName(a AccountID, to string) error {
	if _, err := mailboxByName(tx, a, to); err == nil {
		return fmt.Errorf("mailbox %q: %w", to, ErrExists)
	} else if !errors.Is(err, ErrNoSuchMailbox) {
		return err
	}
	i := strings.LastIndex(to, Delimiter)
	if i <= 0 {
		return nil
	}
	if _, err := mailboxByName(tx, a, to[:i]); !errors.Is(err, ErrNoSuchMailbox) {
		return err
	}
	_, err := tx.createMailboxPath(a, to[:i])
	return err
}

// renameChunk is how many messages one commit of RENAME INBOX moves at
// first. Moving a message writes about seven records (the copy, its
// change-index entry, the tombstone, the removals, the body's reference
// count twice); a commit that is still too big for one engine transaction
// (messages with many keywords) is retried with half as many.
const renameChunk = 1000

// renameInbox carries out RENAME INBOX (RFC 3501 §6.3.5): every message
// moves to a new mailbox named to, and INBOX stays, empty, with its
// UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ. Were the INBOX record renamed
// instead and a new INBOX created, a client that cached INBOX's UIDs would
// see them reused under a new UIDVALIDITY; this way the next message
// delivered to INBOX gets a UID above every UID INBOX ever had (spec
// MU-15). For INBOX's sessions the messages were expunged: each commit
// raises INBOX's mod-sequence once and leaves a tombstone per UID, as
// EXPUNGE and MOVE do (QR-36). The new mailbox has a fresh UIDVALIDITY and
// numbers the messages from 1 in the order of their old UIDs. INBOX's
// children keep their names.
//
// A large INBOX moves in several commits; the new mailbox is created in
// the first. Only the messages INBOX held when the rename began move: mail
// delivered meanwhile stays in INBOX, as if it had arrived just after. A
// failed commit leaves the messages moved so far in the new mailbox and the
// others in INBOX, each message in exactly one of them.
func (s *Store) renameInbox(ctx context.Context, a AccountID, to string) error {
	var (
		inboxID, dstID MailboxID
		end            UID // INBOX's UIDNEXT when the rename began
		after          UID // the highest UID moved so far
		moved          int // how many messages the last commit moved
	)
	limit, first := renameChunk, true
	for {
		from := after
		err := s.write(ctx, "rename INBOX", func(tx *wtx) error {
			var inbox, dst *Mailbox
			var err error
			if first {
				if inbox, err = mailboxByName(tx, a, "INBOX"); err != nil {
					return err
				}
				if err := tx.claimName(a, to); err != nil {
					return err
				}
				if dst, err = tx.createMailbox(a, to, nil); err != nil {
					return err
				}
				inboxID, dstID, end = inbox.ID, dst.ID, inbox.UIDNext
			} else {
				if inbox, err = readMailbox(tx, a, inboxID); err != nil {
					return err
				}
				if dst, err = readMailbox(tx, a, dstID); err != nil {
					return err
				}
				// A mailbox being deleted keeps its record until its
				// messages are gone, but loses its name first: stop there.
				v, err := tx.Get(mailboxNameKey(a, dst.Name))
				if errors.Is(err, kv.ErrNotFound) || err == nil && binary.BigEndian.Uint64(v) != uint64(dstID) {
					return fmt.Errorf("mailbox %q deleted meanwhile: %w", to, ErrNoSuchMailbox)
				} else if err != nil {
					return err
				}
			}
			after, moved, err = tx.moveInboxChunk(inbox, dst, from, end, limit)
			return err
		})
		switch {
		case errors.Is(err, ErrTooLarge) && limit > 1:
			limit /= 2
			continue
		case err != nil:
			return fmt.Errorf("rename INBOX to %q: %w", to, err)
		case moved < limit:
			return nil
		}
		first = false
	}
}

// moveInboxChunk moves up to limit of src's messages with UIDs in (after,
// end) to dst, in UID order, at one new mod-sequence per mailbox. It
// returns the last UID moved (after when none) and how many moved, and
// writes both mailbox records back.
func (tx *wtx) moveInboxChunk(src, dst *Mailbox, after, end UID, limit int) (UID, int, error) {
	a := src.Account
	var msgs []*Message
	err := tx.Scan(messageKey(a, src.ID, after+1), messageKey(a, src.ID, end), false, func(k, v []byte) (bool, error) {
		m, err := decodeMessage(uidFromMessageKey(k), v)
		if err != nil {
			return false, err
		}
		msgs = append(msgs, m)
		return len(msgs) < limit, nil
	})
	if err != nil || len(msgs) == 0 {
		return after, 0, err
	}
	srcSeq, dstSeq := src.HighestModSeq+1, dst.HighestModSeq+1
	gone := make([]UID, 0, len(msgs))
	added := make([]UID, 0, len(msgs))
	for _, m := range msgs {
		// The reference is added before the old one goes, so the body
		// never drops to zero references and is never deleted.
		if err := tx.addBlobRefs(m.Blob, 1); err != nil {
			return after, 0, err
		}
		c, err := tx.addMessage(dst, m.Blob, m.Size, m.Flags, m.InternalDate, dstSeq)
		if err != nil {
			return after, 0, err
		}
		if err := tx.removeMessage(src, m, srcSeq); err != nil {
			return after, 0, err
		}
		gone = append(gone, m.UID)
		added = append(added, c.UID)
	}
	if err := tx.putMailbox(src); err != nil {
		return after, 0, err
	}
	if err := tx.putMailbox(dst); err != nil {
		return after, 0, err
	}
	tx.emit(Event{Kind: MessageAppend, Account: a, Mailbox: dst.ID, MailboxName: dst.Name, UIDValidity: dst.UIDValidity, UIDs: added, ModSeq: dst.HighestModSeq})
	tx.emit(Event{Kind: MessageExpunge, Account: a, Mailbox: src.ID, MailboxName: src.Name, UIDValidity: src.UIDValidity, UIDs: gone, ModSeq: src.HighestModSeq})
	return gone[len(gone)-1], len(msgs), nil
}

// DeleteMailbox deletes a mailbox and its messages. INBOX cannot be
// deleted, nor a mailbox that has children (delete them first).
func (s *Store) DeleteMailbox(ctx context.Context, a AccountID, name string) error {
	name = CanonicalMailboxName(name)
	if IsInbox(name) {
		return fmt.Errorf("%w: INBOX cannot be deleted", ErrInvalidName)
	}
	mb, err := s.MailboxByName(ctx, a, name)
	if err != nil {
		return err
	}
	var children bool
	err = s.view(func(r kv.Reader) error {
		return r.Scan(mailboxNameKey(a, name+Delimiter), nil, false, func(k, v []byte) (bool, error) {
			children = true
			return false, nil
		})
	})
	if err != nil {
		return err
	}
	if children {
		return fmt.Errorf("mailbox %q: %w", name, ErrMailboxHasChildren)
	}
	return s.removeMailbox(ctx, a, mb.ID)
}

// removeBatch is how many records one commit removes when a mailbox or
// an account is deleted, keeping each transaction small.
const removeBatch = 1000

// removeMailbox deletes a mailbox's messages in batches, then the mailbox.
// The name is freed in the first commit so clients stop seeing it at once.
func (s *Store) removeMailbox(ctx context.Context, a AccountID, id MailboxID) error {
	err := s.writeFreeing(ctx, "delete mailbox", func(tx *wtx) error {
		mb, err := readMailbox(tx, a, id)
		if err != nil {
			return err
		}
		if v, err := tx.Get(mailboxNameKey(a, mb.Name)); err == nil && binary.BigEndian.Uint64(v) == uint64(id) {
			if err := tx.Delete(mailboxNameKey(a, mb.Name)); err != nil {
				return err
			}
		}
		tx.emit(Event{Kind: MailboxDelete, Account: a, Mailbox: id, MailboxName: mb.Name, UIDValidity: mb.UIDValidity})
		return nil
	})
	if err != nil {
		return err
	}
	for _, table := range []byte{tMessage, tChange, tTombstone, tPresence, tFlagIndex} {
		for {
			n := 0
			err := s.writeFreeing(ctx, "delete mailbox", func(tx *wtx) error {
				var keys, values [][]byte
				err := tx.Scan(perMailbox(table, a, id, 0), nil, false, func(k, v []byte) (bool, error) {
					keys = append(keys, append([]byte(nil), k...))
					if table == tMessage {
						values = append(values, append([]byte(nil), v...))
					}
					return len(keys) < removeBatch, nil
				})
				if err != nil {
					return err
				}
				for i, k := range keys {
					if table == tMessage {
						msg, err := decodeMessage(uidFromMessageKey(k), values[i])
						if err != nil {
							return err
						}
						if err := tx.releaseBlob(msg.Blob); err != nil {
							return err
						}
					}
					if err := tx.Delete(k); err != nil {
						return err
					}
				}
				n = len(keys)
				return nil
			})
			if err != nil {
				return fmt.Errorf("delete mailbox %d: %w", id, err)
			}
			if n < removeBatch {
				break
			}
		}
	}
	return s.writeFreeing(ctx, "delete mailbox", func(tx *wtx) error { return tx.Delete(mailboxKey(a, id)) })
}

// deletePrefix deletes up to removeBatch keys starting with prefix and
// says how many it deleted.
func (tx *wtx) deletePrefix(prefix []byte) (int, error) {
	var keys [][]byte
	err := tx.Scan(prefix, nil, false, func(k, _ []byte) (bool, error) {
		keys = append(keys, slices.Clone(k))
		return len(keys) < removeBatch, nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := tx.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// deleteKeys deletes keys in writes of at most removeBatch, for the
// cleanups that first find what is old and then remove it.
func (s *Store) deleteKeys(ctx context.Context, name string, keys [][]byte) (int, error) {
	removed := 0
	for len(keys) > 0 {
		batch := keys[:min(len(keys), removeBatch)]
		err := s.writeFreeing(ctx, name, func(tx *wtx) error {
			for _, k := range batch {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return removed, err
		}
		removed += len(batch)
		keys = keys[len(batch):]
	}
	return removed, nil
}
