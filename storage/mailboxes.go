package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
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

// RenameMailbox renames a mailbox and every mailbox below it. Renaming
// INBOX moves its messages to the new name and leaves an empty INBOX, as
// RFC 3501 §6.3.5 requires; the messages keep their UIDs under the old
// INBOX's UIDVALIDITY and the new INBOX gets a fresh one.
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
	return s.write(ctx, "rename mailbox", func(tx *wtx) error {
		src, err := mailboxByName(tx, a, from)
		if err != nil {
			return err
		}
		if _, err := mailboxByName(tx, a, to); err == nil {
			return fmt.Errorf("mailbox %q: %w", to, ErrExists)
		} else if !errors.Is(err, ErrNoSuchMailbox) {
			return err
		}
		// Missing parents of the new name are created, as for CREATE.
		if i := strings.LastIndex(to, Delimiter); i > 0 {
			if _, err := mailboxByName(tx, a, to[:i]); errors.Is(err, ErrNoSuchMailbox) {
				if _, err := tx.createMailboxPath(a, to[:i]); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		}
		renames := []*Mailbox{src}
		if !IsInbox(from) { // INBOX's children stay where they are
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
		if IsInbox(from) {
			if _, err := tx.createMailbox(a, "INBOX", nil); err != nil {
				return err
			}
		}
		return nil
	})
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
