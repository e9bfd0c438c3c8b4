package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"zest/storage/kv"
)

// ExpireTombstones drops a mailbox's expunge tombstones with mod-sequences
// up to upTo and records that mark (RFC 7162 §5.3). A QRESYNC client whose
// mod-sequence is older then learns its vanished messages by comparing its
// UIDs with the mailbox's, which costs more but stays correct.
func (s *Store) ExpireTombstones(ctx context.Context, a AccountID, mbID MailboxID, upTo uint64) error {
	for {
		n := 0
		err := s.writeFreeing(ctx, "expire tombstones", func(tx *wtx) error {
			n = 0
			mb, err := readMailbox(tx, a, mbID)
			if err != nil {
				return err
			}
			var keys [][]byte
			err = tx.Scan(perMailbox(tTombstone, a, mbID, 0), modseqRangeStart(tTombstone, a, mbID, upTo+1), false, func(k, _ []byte) (bool, error) {
				keys = append(keys, slices.Clone(k))
				return len(keys) < removeBatch, nil
			})
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			n = len(keys)
			mb.Tombstones -= min(mb.Tombstones, uint32(n))
			mb.ExpungedBefore = max(mb.ExpungedBefore, upTo)
			return tx.putMailbox(mb)
		})
		if err != nil {
			return fmt.Errorf("expire tombstones of mailbox %d: %w", mbID, err)
		}
		if n < removeBatch {
			return nil
		}
	}
}

// DefaultMaxTombstones is how many expunge tombstones a mailbox keeps
// before the daily cleanup drops the oldest quarter of them.
const DefaultMaxTombstones = 100000

// boundTombstones drops the oldest tombstones of every mailbox holding
// more than max, keeping the newest three quarters (RFC 7162 §5.3 lets a
// server forget old expunges; QRESYNC stays exact through ExpungedBefore).
func (s *Store) boundTombstones(ctx context.Context, max uint32) error {
	var over []*Mailbox
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tMailbox}, nil, false, func(k, v []byte) (bool, error) {
			mb, err := decodeMailbox(AccountID(binary.BigEndian.Uint64(k[1:9])), MailboxID(binary.BigEndian.Uint64(k[9:17])), v)
			if err != nil {
				return false, err
			}
			if mb.Tombstones > max {
				over = append(over, mb)
			}
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	for _, mb := range over {
		drop := mb.Tombstones - max*3/4
		var upTo uint64
		err := s.view(func(r kv.Reader) error {
			n := uint32(0)
			return r.Scan(perMailbox(tTombstone, mb.Account, mb.ID, 0), nil, false, func(k, _ []byte) (bool, error) {
				upTo, _ = modseqUIDFromKey(k)
				n++
				return n < drop, nil
			})
		})
		if err != nil {
			return err
		}
		if err := s.ExpireTombstones(ctx, mb.Account, mb.ID, upTo); err != nil {
			return err
		}
	}
	return nil
}
