package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"zest/storage/kv"
)

// Two small per-mailbox indexes let a session open a mailbox without
// reading its message records: opening costs O(mailbox / 4096) reads, and a
// mailbox of 100,000 messages opens in well under a millisecond instead of
// the tens of milliseconds a scan of every record takes.
//
//   - The presence bitmap says which UIDs exist: one record of 512 bytes per
//     block of 4096 UIDs, deleted when its block empties. It gives IMAP its
//     sequence numbers.
//   - The flag index lists the unseen and the \Deleted messages, so the
//     first unseen message (SELECT's UNSEEN) and EXPUNGE's candidates are a
//     short range scan.

const (
	uidBlockBits  = 4096
	uidBlockBytes = uidBlockBits / 8

	flagIndexUnseen  = 'u'
	flagIndexDeleted = 'd'
)

func presenceKey(a AccountID, m MailboxID, block uint32) []byte {
	return binary.BigEndian.AppendUint32(perMailbox(tPresence, a, m, 4), block)
}

func flagIndexKey(a AccountID, m MailboxID, kind byte, uid UID) []byte {
	k := append(perMailbox(tFlagIndex, a, m, 5), kind)
	return binary.BigEndian.AppendUint32(k, uint32(uid))
}

func flagIndexPrefix(a AccountID, m MailboxID, kind byte) []byte {
	return append(perMailbox(tFlagIndex, a, m, 1), kind)
}

// setPresent marks uid present or absent in the mailbox's bitmap. The
// block is changed in memory and written by flushPresence.
func (tx *wtx) setPresent(a AccountID, m MailboxID, uid UID, present bool) error {
	k := presenceKey(a, m, uint32(uid)/uidBlockBits)
	block, ok := tx.presence[string(k)]
	if !ok {
		block = make([]byte, uidBlockBytes)
		switch v, err := tx.Get(k); {
		case err == nil && len(v) == uidBlockBytes:
			copy(block, v)
		case err == nil:
			return fmt.Errorf("presence block of uid %d: %w", uid, errCorrupt)
		case !errors.Is(err, kv.ErrNotFound):
			return err
		}
		if tx.presence == nil {
			tx.presence = map[string][]byte{}
		}
		tx.presence[string(k)] = block
	}
	bit := uint32(uid) % uidBlockBits
	if present {
		block[bit/8] |= 1 << (bit % 8)
	} else {
		block[bit/8] &^= 1 << (bit % 8)
	}
	return nil
}

// flushPresence writes the blocks setPresent changed, deleting empty ones.
func (tx *wtx) flushPresence() error {
	for k, block := range tx.presence {
		var err error
		if slices.ContainsFunc(block, func(b byte) bool { return b != 0 }) {
			err = tx.Set([]byte(k), block)
		} else {
			err = tx.Delete([]byte(k))
		}
		if err != nil {
			return err
		}
	}
	tx.presence = nil
	return nil
}

// indexFlags moves a message's entries in the flag index from its old
// flags to its new ones; a nil side means the message is being added or
// removed.
func (tx *wtx) indexFlags(mb *Mailbox, uid UID, old, next *Flags) error {
	has := func(f *Flags, kind byte) bool {
		if f == nil {
			return false
		}
		if kind == flagIndexUnseen {
			return f.System&FlagSeen == 0
		}
		return f.System&FlagDeleted != 0
	}
	for _, kind := range []byte{flagIndexUnseen, flagIndexDeleted} {
		was, is := has(old, kind), has(next, kind)
		switch {
		case is && !was:
			if err := tx.Set(flagIndexKey(mb.Account, mb.ID, kind, uid), nil); err != nil {
				return err
			}
		case was && !is:
			if err := tx.Delete(flagIndexKey(mb.Account, mb.ID, kind, uid)); err != nil {
				return err
			}
		}
	}
	if next != nil {
		for _, k := range next.Keywords {
			if !slices.Contains(mb.Keywords, k) {
				mb.Keywords = append(mb.Keywords, k)
			}
		}
	}
	return nil
}

// readUIDs lists the UIDs present in a mailbox, ascending, from its bitmap.
func readUIDs(r kv.Reader, a AccountID, m MailboxID, sizeHint uint32) ([]UID, error) {
	out := make([]UID, 0, sizeHint)
	prefix := perMailbox(tPresence, a, m, 0)
	err := r.Scan(prefix, kv.PrefixEnd(prefix), false, func(k, v []byte) (bool, error) {
		if len(v) != uidBlockBytes || len(k) != len(prefix)+4 {
			return false, fmt.Errorf("presence block %x: %w", k, errCorrupt)
		}
		base := binary.BigEndian.Uint32(k[len(prefix):]) * uidBlockBits
		for i := 0; i < uidBlockBytes; i += 8 {
			w := binary.LittleEndian.Uint64(v[i:])
			for w != 0 {
				b := bits.TrailingZeros64(w)
				out = append(out, UID(base+uint32(i*8+b)))
				w &= w - 1
			}
		}
		return true, nil
	})
	return out, err
}

// Opened is a mailbox as a session opening it needs it, read in one
// snapshot without reading message records.
type Opened struct {
	Mailbox *Mailbox
	// UIDs lists the messages present, ascending: sequence number i+1 is
	// UIDs[i].
	UIDs []UID
	// FirstUnseen is the lowest UID without \Seen, 0 when all are seen.
	FirstUnseen UID
	// Changes is what changed after the mod-sequence OpenMailbox was
	// given, in the same snapshot (QRESYNC); nil when it was given 0.
	Changes *Changes
}

// OpenMailbox reads what SELECT needs and, when since > 0, what changed
// after mod-sequence since (SELECT with QRESYNC), all in one snapshot. Its
// cost grows with the mailbox's UID range divided by 4096 and with the
// number of changes, not with its messages' records.
func (s *Store) OpenMailbox(ctx context.Context, a AccountID, mb MailboxID, since uint64) (*Opened, error) {
	out := &Opened{}
	err := s.view(func(r kv.Reader) error {
		box, err := readMailbox(r, a, mb)
		if err != nil {
			return err
		}
		out.Mailbox = box
		if out.UIDs, err = readUIDs(r, a, mb, box.Messages); err != nil {
			return err
		}
		if since > 0 {
			if out.Changes, err = changesSince(r, box, since); err != nil {
				return err
			}
		}
		if box.Unseen == 0 {
			return nil
		}
		prefix := flagIndexPrefix(a, mb, flagIndexUnseen)
		return r.Scan(prefix, kv.PrefixEnd(prefix), false, func(k, _ []byte) (bool, error) {
			out.FirstUnseen = UID(binary.BigEndian.Uint32(k[len(prefix):]))
			return false, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("open mailbox %d: %w", mb, err)
	}
	return out, nil
}

// DeletedUIDs lists the messages of a mailbox flagged \Deleted, ascending,
// from the flag index (what EXPUNGE removes).
func (s *Store) DeletedUIDs(ctx context.Context, a AccountID, mb MailboxID) ([]UID, error) {
	var out []UID
	err := s.view(func(r kv.Reader) error {
		prefix := flagIndexPrefix(a, mb, flagIndexDeleted)
		return r.Scan(prefix, kv.PrefixEnd(prefix), false, func(k, _ []byte) (bool, error) {
			out = append(out, UID(binary.BigEndian.Uint32(k[len(prefix):])))
			return true, nil
		})
	})
	return out, err
}

// indexVersion is the version of the indexes above; a store written before
// them gets them built when it is opened.
const indexVersion = 1

// buildIndexes creates the presence bitmaps, flag indexes and keyword
// lists of every mailbox, for stores written before they existed. It runs
// once, at open, and records that it did.
func (s *Store) buildIndexes(ctx context.Context) error {
	var have uint64
	err := s.view(func(r kv.Reader) error {
		v, err := r.Get(seqKey("index-version"))
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(v) != 8 {
			return errCorrupt
		}
		have = binary.BigEndian.Uint64(v)
		return nil
	})
	if err != nil || have >= indexVersion {
		return err
	}
	type boxRef struct {
		a  AccountID
		id MailboxID
	}
	var boxes []boxRef
	err = s.view(func(r kv.Reader) error {
		prefix := []byte{tMailbox}
		return r.Scan(prefix, kv.PrefixEnd(prefix), false, func(k, _ []byte) (bool, error) {
			boxes = append(boxes, boxRef{AccountID(binary.BigEndian.Uint64(k[1:9])), MailboxID(binary.BigEndian.Uint64(k[9:17]))})
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	for _, b := range boxes {
		_, msgs, err := s.Snapshot(ctx, b.a, b.id)
		if err != nil {
			return fmt.Errorf("index mailbox %d: %w", b.id, err)
		}
		for chunk := range slices.Chunk(msgs, 500) {
			err := s.write(ctx, "build indexes", func(tx *wtx) error {
				mb, err := readMailbox(tx, b.a, b.id)
				if err != nil {
					return err
				}
				for _, m := range chunk {
					if err := tx.setPresent(b.a, b.id, m.UID, true); err != nil {
						return err
					}
					if err := tx.indexFlags(mb, m.UID, nil, &m.Flags); err != nil {
						return err
					}
				}
				return tx.putMailbox(mb)
			})
			if err != nil {
				return fmt.Errorf("index mailbox %d: %w", b.id, err)
			}
		}
	}
	return s.write(ctx, "build indexes", func(tx *wtx) error {
		return tx.Set(seqKey("index-version"), binary.BigEndian.AppendUint64(nil, indexVersion))
	})
}
