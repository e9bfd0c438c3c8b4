package storage

import (
	"context"
	"fmt"
	"slices"
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
			if upTo > mb.ExpungedBefore {
				mb.ExpungedBefore = upTo
				return tx.putMailbox(mb)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("expire tombstones of mailbox %d: %w", mbID, err)
		}
		if n < removeBatch {
			return nil
		}
	}
}
