package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"zest/storage/kv"
)

// addMessage appends a message record to mb, updating mb's counters in
// memory; the caller writes mb back once, however many messages it adds.
func (tx *wtx) addMessage(mb *Mailbox, blob BlobHash, size int64, flags Flags, internal time.Time, modseq uint64) (*Message, error) {
	if mb.UIDNext == 0 || mb.UIDNext == 0xffffffff {
		// UIDs never wrap (RFC 3501 §2.3.1.1, MONOINCUID): a mailbox that
		// used up the UID space takes no more messages.
		return nil, fmt.Errorf("mailbox %q: %w", mb.Name, ErrUIDSpaceExhausted)
	}
	m := &Message{
		UID: mb.UIDNext, ModSeq: modseq, Flags: flags, InternalDate: internal,
		SaveDate: tx.s.now(), Size: size, Blob: blob,
	}
	mb.UIDNext++
	mb.HighestModSeq = max(mb.HighestModSeq, modseq)
	mb.Messages++
	mb.Size += size
	if flags.System&FlagSeen == 0 {
		mb.Unseen++
	}
	if flags.System&FlagDeleted != 0 {
		mb.Deleted++
	}
	if err := tx.Set(messageKey(mb.Account, mb.ID, m.UID), encodeMessage(m)); err != nil {
		return nil, err
	}
	if err := tx.Set(changeKey(mb.Account, mb.ID, modseq, m.UID), nil); err != nil {
		return nil, err
	}
	if err := tx.setPresent(mb.Account, mb.ID, m.UID, true); err != nil {
		return nil, err
	}
	if err := tx.indexFlags(mb, m.UID, nil, &m.Flags); err != nil {
		return nil, err
	}
	return m, nil
}

// removeMessage deletes a message, leaving a tombstone at modseq for
// QRESYNC's VANISHED, and releases its body.
func (tx *wtx) removeMessage(mb *Mailbox, m *Message, modseq uint64) error {
	if err := tx.Delete(messageKey(mb.Account, mb.ID, m.UID)); err != nil {
		return err
	}
	if err := tx.Delete(changeKey(mb.Account, mb.ID, m.ModSeq, m.UID)); err != nil {
		return err
	}
	if err := tx.Set(tombstoneKey(mb.Account, mb.ID, modseq, m.UID), nil); err != nil {
		return err
	}
	mb.Tombstones++
	if err := tx.setPresent(mb.Account, mb.ID, m.UID, false); err != nil {
		return err
	}
	if err := tx.indexFlags(mb, m.UID, &m.Flags, nil); err != nil {
		return err
	}
	mb.Messages--
	mb.Size -= m.Size
	if m.Flags.System&FlagSeen == 0 {
		mb.Unseen--
	}
	if m.Flags.System&FlagDeleted != 0 {
		mb.Deleted--
	}
	mb.HighestModSeq = max(mb.HighestModSeq, modseq)
	return tx.releaseBlob(m.Blob)
}

// setFlags rewrites a message's flags at modseq and keeps mb's counters.
func (tx *wtx) setFlags(mb *Mailbox, m *Message, flags Flags, modseq uint64) error {
	if err := tx.Delete(changeKey(mb.Account, mb.ID, m.ModSeq, m.UID)); err != nil {
		return err
	}
	wasSeen, wasDeleted := m.Flags.System&FlagSeen != 0, m.Flags.System&FlagDeleted != 0
	isSeen, isDeleted := flags.System&FlagSeen != 0, flags.System&FlagDeleted != 0
	switch {
	case wasSeen && !isSeen:
		mb.Unseen++
	case !wasSeen && isSeen:
		mb.Unseen--
	}
	switch {
	case wasDeleted && !isDeleted:
		mb.Deleted--
	case !wasDeleted && isDeleted:
		mb.Deleted++
	}
	if err := tx.indexFlags(mb, m.UID, &m.Flags, &flags); err != nil {
		return err
	}
	m.Flags, m.ModSeq = flags, modseq
	mb.HighestModSeq = max(mb.HighestModSeq, modseq)
	if err := tx.Set(messageKey(mb.Account, mb.ID, m.UID), encodeMessage(m)); err != nil {
		return err
	}
	return tx.Set(changeKey(mb.Account, mb.ID, modseq, m.UID), nil)
}

func readMessage(r kv.Reader, a AccountID, mb MailboxID, uid UID) (*Message, error) {
	v, err := getRecord(r, messageKey(a, mb, uid), ErrNotFound)
	if err != nil {
		return nil, err
	}
	return decodeMessage(uid, v)
}

// Messages returns every message of a mailbox in UID order.
func (s *Store) Messages(ctx context.Context, a AccountID, mb MailboxID) ([]*Message, error) {
	_, msgs, err := s.Snapshot(ctx, a, mb)
	return msgs, err
}

// Message returns one message by UID.
func (s *Store) Message(ctx context.Context, a AccountID, mb MailboxID, uid UID) (*Message, error) {
	var m *Message
	err := s.view(func(r kv.Reader) error {
		var err error
		m, err = readMessage(r, a, mb, uid)
		return err
	})
	return m, err
}

// Changes is what happened in a mailbox after a mod-sequence.
type Changes struct {
	// Changed lists the messages added or whose flags changed, in
	// mod-sequence order, with their current state.
	Changed []*Message
	// Vanished lists the UIDs expunged, in UID order.
	Vanished []UID
	// EarliestExpunge is the lowest mod-sequence among Vanished's expunges
	// (0 when none): a client told of later changes but not of these must
	// not be told a HIGHESTMODSEQ at or above it (RFC 7162 §3.2, §6).
	EarliestExpunge uint64
	// HighestModSeq is the mailbox's HIGHESTMODSEQ in the same snapshot:
	// asking again from it sees exactly what came after.
	HighestModSeq uint64
	// ExpungedBefore is the mailbox's mark below which tombstones have
	// expired (Mailbox.ExpungedBefore): asked from a lower mod-sequence,
	// Vanished may miss expunges. UIDNext bounds the UIDs that could have.
	ExpungedBefore uint64
	UIDNext        UID
}

// ChangesSince reports what happened in a mailbox after mod-sequence
// modseq. It reads the change index and the tombstones only, so it costs
// O(changes), not O(mailbox) (RFC 7162 CHANGEDSINCE and QRESYNC).
func (s *Store) ChangesSince(ctx context.Context, a AccountID, mb MailboxID, modseq uint64) (*Changes, error) {
	var out *Changes
	err := s.view(func(r kv.Reader) error {
		box, err := readMailbox(r, a, mb)
		if err != nil {
			return err
		}
		out, err = changesSince(r, box, modseq)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func changesSince(r kv.Reader, box *Mailbox, modseq uint64) (*Changes, error) {
	a, mb := box.Account, box.ID
	out := &Changes{HighestModSeq: box.HighestModSeq, ExpungedBefore: box.ExpungedBefore, UIDNext: box.UIDNext}
	start := modseqRangeStart(tChange, a, mb, modseq+1)
	err := r.Scan(start, kv.PrefixEnd(perMailbox(tChange, a, mb, 0)), false, func(k, _ []byte) (bool, error) {
		_, uid := modseqUIDFromKey(k)
		m, err := readMessage(r, a, mb, uid)
		if err != nil {
			return false, fmt.Errorf("change index names uid %d: %w", uid, err)
		}
		out.Changed = append(out.Changed, m)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	start = modseqRangeStart(tTombstone, a, mb, modseq+1)
	err = r.Scan(start, kv.PrefixEnd(perMailbox(tTombstone, a, mb, 0)), false, func(k, _ []byte) (bool, error) {
		modseq, uid := modseqUIDFromKey(k)
		if out.EarliestExpunge == 0 {
			out.EarliestExpunge = modseq // the scan is in mod-sequence order
		}
		out.Vanished = append(out.Vanished, uid)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out.Vanished)
	return out, nil
}

// FlagOp says how StoreFlags combines the given flags with a message's own.
type FlagOp uint8

const (
	FlagsAdd FlagOp = iota
	FlagsRemove
	FlagsReplace
)

// FlagResult is what StoreFlags did.
type FlagResult struct {
	// Changed lists the messages whose flags changed, with their new state.
	Changed []*Message
	// Modified lists the messages not changed because their mod-sequence
	// was above unchangedSince (RFC 7162 MODIFIED response code), with
	// their current state.
	Modified []*Message
}

// Unconditional is StoreFlags' unchangedSince for a change made whatever
// the messages' mod-sequences are.
const Unconditional = ^uint64(0)

// storeChunk bounds how many messages one commit of a bulk change touches.
const storeChunk = 1024

// inChunks runs fn over uids in chunks of at most storeChunk, halving the
// chunk when the engine finds it too large for one transaction (a message
// removal writes about ten records: the message, its indexes, its body).
func inChunks(uids []UID, fn func(chunk []UID) error) error {
	size := storeChunk
	for len(uids) > 0 {
		n := min(size, len(uids))
		err := fn(uids[:n])
		if errors.Is(err, ErrTooLarge) && n > 1 {
			size = n / 2
			continue
		}
		if err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// StoreFlags changes the flags of the messages with the given UIDs
// (missing UIDs are skipped). A message whose mod-sequence is greater than
// unchangedSince is left alone and reported in Modified (RFC 7162
// UNCHANGEDSINCE; pass Unconditional for a plain STORE). All messages
// changed in one commit share one new mod-sequence.
func (s *Store) StoreFlags(ctx context.Context, a AccountID, mbID MailboxID, uids []UID, op FlagOp, flags []string, unchangedSince uint64) (*FlagResult, error) {
	want := ParseFlags(flags)
	res := &FlagResult{}
	err := inChunks(uids, func(chunk []UID) error {
		var part FlagResult
		err := s.write(ctx, "store flags", func(tx *wtx) error {
			part = FlagResult{}
			mb, err := readMailbox(tx, a, mbID)
			if err != nil {
				return err
			}
			modseq := mb.HighestModSeq + 1
			var set, clear Flags
			for _, uid := range chunk {
				m, err := readMessage(tx, a, mbID, uid)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if m.ModSeq > unchangedSince {
					part.Modified = append(part.Modified, m)
					continue
				}
				var next Flags
				switch op {
				case FlagsAdd:
					next = m.Flags.Union(want)
				case FlagsRemove:
					next = m.Flags.Minus(want)
				default:
					next = want
				}
				if next.Equal(m.Flags) {
					continue
				}
				set = set.Union(next.Minus(m.Flags))
				clear = clear.Union(m.Flags.Minus(next))
				if err := tx.setFlags(mb, m, next, modseq); err != nil {
					return err
				}
				part.Changed = append(part.Changed, m)
			}
			if len(part.Changed) == 0 {
				return nil
			}
			changedUIDs := make([]UID, len(part.Changed))
			for i, m := range part.Changed {
				changedUIDs[i] = m.UID
			}
			for _, ev := range []struct {
				kind  EventKind
				flags Flags
			}{{FlagsSet, set}, {FlagsClear, clear}} {
				if names := ev.flags.Names(); len(names) > 0 {
					tx.emit(Event{Kind: ev.kind, Account: a, Mailbox: mbID, MailboxName: mb.Name, UIDValidity: mb.UIDValidity, UIDs: changedUIDs, ModSeq: mb.HighestModSeq, Flags: names})
				}
			}
			return tx.putMailbox(mb)
		})
		if err != nil {
			return err
		}
		res.Changed = append(res.Changed, part.Changed...)
		res.Modified = append(res.Modified, part.Modified...)
		return nil
	})
	return res, err
}

// Expunge removes the messages with the given UIDs (missing ones are
// skipped) and returns the UIDs removed. Each leaves a tombstone.
func (s *Store) Expunge(ctx context.Context, a AccountID, mbID MailboxID, uids []UID) ([]UID, error) {
	var out []UID
	err := inChunks(uids, func(chunk []UID) error {
		var part []UID
		err := s.writeFreeing(ctx, "expunge", func(tx *wtx) error {
			part = part[:0]
			mb, err := readMailbox(tx, a, mbID)
			if err != nil {
				return err
			}
			modseq := mb.HighestModSeq + 1
			for _, uid := range chunk {
				m, err := readMessage(tx, a, mbID, uid)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if err := tx.removeMessage(mb, m, modseq); err != nil {
					return err
				}
				part = append(part, uid)
			}
			if len(part) == 0 {
				return nil
			}
			tx.emit(Event{Kind: MessageExpunge, Account: a, Mailbox: mbID, MailboxName: mb.Name, UIDValidity: mb.UIDValidity, UIDs: slices.Clone(part), ModSeq: mb.HighestModSeq})
			return tx.putMailbox(mb)
		})
		if err != nil {
			return err
		}
		out = append(out, part...)
		return nil
	})
	return out, err
}

// CopyResult pairs source UIDs with the UIDs of their copies (RFC 4315 COPYUID).
type CopyResult struct {
	UIDValidity uint32 // of the destination
	Source      []UID
	Dest        []UID
}

// Copy copies messages to another mailbox of the same account; the copies
// share the originals' bodies. With move set the originals are expunged in
// the same commit (RFC 6851 MOVE).
func (s *Store) Copy(ctx context.Context, a AccountID, from MailboxID, uids []UID, to MailboxID, move bool) (*CopyResult, error) {
	res := &CopyResult{}
	err := inChunks(uids, func(chunk []UID) error {
		var part CopyResult
		err := s.write(ctx, "copy", func(tx *wtx) error {
			part = CopyResult{}
			src, err := readMailbox(tx, a, from)
			if err != nil {
				return err
			}
			dst, err := readMailbox(tx, a, to)
			if err != nil {
				return err
			}
			if from == to && move {
				return fmt.Errorf("%w: cannot move a message into its own mailbox", ErrInvalidName)
			}
			part.UIDValidity = dst.UIDValidity
			dstSeq := dst.HighestModSeq + 1
			srcSeq := src.HighestModSeq + 1
			if from == to {
				src = dst // one record, so both counters stay right
				srcSeq = dstSeq
			}
			for _, uid := range chunk {
				m, err := readMessage(tx, a, from, uid)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				c, err := tx.addMessage(dst, m.Blob, m.Size, m.Flags, m.InternalDate, dstSeq)
				if err != nil {
					return err
				}
				if err := tx.addBlobRefs(m.Blob, 1); err != nil {
					return err
				}
				if move {
					if err := tx.removeMessage(src, m, srcSeq); err != nil {
						return err
					}
				}
				part.Source = append(part.Source, uid)
				part.Dest = append(part.Dest, c.UID)
			}
			if len(part.Source) == 0 {
				return nil
			}
			tx.emit(Event{Kind: MessageAppend, Account: a, Mailbox: to, MailboxName: dst.Name, UIDValidity: dst.UIDValidity, UIDs: slices.Clone(part.Dest), ModSeq: dst.HighestModSeq})
			if err := tx.putMailbox(dst); err != nil {
				return err
			}
			if move {
				tx.emit(Event{Kind: MessageExpunge, Account: a, Mailbox: from, MailboxName: src.Name, UIDValidity: src.UIDValidity, UIDs: slices.Clone(part.Source), ModSeq: src.HighestModSeq})
				return tx.putMailbox(src)
			}
			return nil
		})
		if err != nil {
			return err
		}
		res.UIDValidity = part.UIDValidity
		res.Source = append(res.Source, part.Source...)
		res.Dest = append(res.Dest, part.Dest...)
		return nil
	})
	return res, err
}

// Snapshot returns a mailbox and all its messages, in UID order, read in
// one consistent snapshot (what IMAP SELECT needs: the message list and the
// HIGHESTMODSEQ it corresponds to).
func (s *Store) Snapshot(ctx context.Context, a AccountID, mb MailboxID) (*Mailbox, []*Message, error) {
	var box *Mailbox
	var out []*Message
	err := s.view(func(r kv.Reader) error {
		var err error
		if box, err = readMailbox(r, a, mb); err != nil {
			return err
		}
		out = make([]*Message, 0, box.Messages)
		return r.Scan(perMailbox(tMessage, a, mb, 0), nil, false, func(k, v []byte) (bool, error) {
			m, err := decodeMessage(uidFromMessageKey(k), v)
			if err != nil {
				return false, err
			}
			out = append(out, m)
			return true, nil
		})
	})
	return box, out, err
}
