package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"zest/storage/kv"
)

// The duplicate tracking list of the Sieve duplicate test (RFC 7352): the
// IDs an account's deliveries recorded, per handle, each until it expires.
// Entries are keyed by a hash of handle and ID (RFC 7352 §3.2 suggests
// it), so a long ID costs no more than a short one.

func duplicateKey(a AccountID, handle, id string) []byte {
	// The NUL keeps ("a", "bc") and ("ab", "c") apart; handles and IDs
	// are compared exactly (RFC 7352 §3.1).
	h := sha256.Sum256([]byte(handle + "\x00" + id))
	k := binary.BigEndian.AppendUint64(key(tDuplicate, 8+16), uint64(a))
	return append(k, h[:16]...)
}

func duplicatePrefix(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tDuplicate, 8), uint64(a))
}

// A duplicate entry is its expiry: version 1, then Unix nanoseconds.
func encodeDuplicate(expires time.Time) []byte {
	e := encoder{}
	e.u8(1)
	e.varint(expires.UnixNano())
	return e.b
}

func decodeDuplicate(v []byte) (time.Time, error) {
	d := decoder{b: v}
	if d.u8() != 1 {
		return time.Time{}, errCorrupt
	}
	ns := d.varint()
	if d.err != nil {
		return time.Time{}, d.err
	}
	return time.Unix(0, ns), nil
}

// DuplicateMark is one ID to record for account's later deliveries.
type DuplicateMark struct {
	Handle, ID string
	Period     time.Duration // the entry expires Period after now
	// Last restarts the period of an existing entry (RFC 7352 §3.3 :last);
	// otherwise an entry that has not expired keeps its expiry.
	Last bool
}

// MaxDuplicatePeriod caps a mark's period, whatever the caller asks.
const MaxDuplicatePeriod = 7 * 24 * time.Hour

// DuplicateSeen reports whether account a recorded id under handle and the
// entry has not expired.
func (s *Store) DuplicateSeen(ctx context.Context, a AccountID, handle, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := s.now()
	seen := false
	err := s.view(func(r kv.Reader) error {
		v, err := r.Get(duplicateKey(a, handle, id))
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		exp, err := decodeDuplicate(v)
		if err != nil {
			return err
		}
		seen = now.Before(exp)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("duplicate list of account %d: %w", a, err)
	}
	return seen, nil
}

// MarkDuplicates records the marks of one delivery to account a, in one
// write. A mark with a period of zero or less records nothing.
func (s *Store) MarkDuplicates(ctx context.Context, a AccountID, marks []DuplicateMark) error {
	if len(marks) == 0 {
		return nil
	}
	now := s.now()
	err := s.write(ctx, "duplicate list", func(tx *wtx) error {
		for _, m := range marks {
			period := min(m.Period, MaxDuplicatePeriod)
			if period <= 0 {
				continue
			}
			k := duplicateKey(a, m.Handle, m.ID)
			if !m.Last {
				// Without :last the first recording's expiry stands, also
				// against a parallel delivery that recorded it meanwhile.
				v, err := tx.Get(k)
				switch {
				case err == nil:
					if exp, err := decodeDuplicate(v); err == nil && now.Before(exp) {
						continue
					}
				case !errors.Is(err, kv.ErrNotFound):
					return err
				}
			}
			if err := tx.Set(k, encodeDuplicate(now.Add(period))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("duplicate list of account %d: %w", a, err)
	}
	return nil
}

// MaxDuplicates bounds an account's duplicate list: the daily cleanup
// drops the entries closest to expiry beyond it (RFC 7352 §3 and §7: limit
// the list, oldest first).
const MaxDuplicates = 10000

// collectDuplicates drops expired entries and, per account, the entries
// beyond limit that expire first. It returns how many it dropped.
func (s *Store) collectDuplicates(ctx context.Context, limit int) (int, error) {
	now := s.now()
	type entry struct {
		key     []byte
		expires time.Time
	}
	var drop [][]byte
	var account []entry // the current account's live entries
	var current uint64
	overflow := func() {
		if len(account) <= limit {
			return
		}
		slices.SortFunc(account, func(x, y entry) int { return x.expires.Compare(y.expires) })
		for _, e := range account[:len(account)-limit] {
			drop = append(drop, e.key)
		}
	}
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tDuplicate}, nil, false, func(k, v []byte) (bool, error) {
			if len(k) < 9 {
				return true, nil
			}
			if acc := binary.BigEndian.Uint64(k[1:9]); acc != current {
				overflow()
				account, current = account[:0], acc
			}
			exp, err := decodeDuplicate(v)
			if err != nil || !now.Before(exp) {
				drop = append(drop, slices.Clone(k)) // expired, or unreadable
				return true, nil
			}
			account = append(account, entry{slices.Clone(k), exp})
			return true, nil
		})
	})
	if err != nil {
		return 0, err
	}
	overflow()
	return s.deleteKeys(ctx, "duplicate list cleanup", drop)
}

// removeAccountDuplicates deletes account a's duplicate list, for
// DeleteAccount.
func (s *Store) removeAccountDuplicates(ctx context.Context, a AccountID) error {
	for {
		n := 0
		err := s.writeFreeing(ctx, "delete account duplicate list", func(tx *wtx) error {
			var err error
			n, err = tx.deletePrefix(duplicatePrefix(a))
			return err
		})
		if err != nil {
			return fmt.Errorf("delete duplicate list of account %d: %w", a, err)
		}
		if n < removeBatch {
			return nil
		}
	}
}
