package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"zest/storage/kv"
)

// The vacation response log (RFC 5230 §4.2, SV-37): when an account's
// script last answered a sender, per reply identity (the :handle, or the
// reply's subject, from and text), so the same sender gets the same reply
// at most once per period, across restarts.

func vacationKey(a AccountID, sender, handle string) []byte {
	h := sha256.Sum256([]byte(strings.ToLower(sender) + "\x00" + handle))
	k := binary.BigEndian.AppendUint64(key(tVacation, 8+16), uint64(a))
	return append(k, h[:16]...)
}

func vacationPrefix(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tVacation, 8), uint64(a))
}

// VacationDue reports whether account a's vacation reply with identity
// handle may go to sender now, at most once per period, and if so records
// that it goes. Two deliveries racing for one sender get one true answer:
// the check and the record are one write.
func (s *Store) VacationDue(ctx context.Context, a AccountID, sender, handle string, period time.Duration) (bool, error) {
	now := s.now()
	k := vacationKey(a, sender, handle)
	due := false
	err := s.write(ctx, "vacation log", func(tx *wtx) error {
		due = false
		v, err := tx.Get(k)
		switch {
		case err == nil && len(v) == 8:
			if last := time.Unix(0, int64(binary.BigEndian.Uint64(v))); now.Sub(last) < period {
				return nil
			}
		case err != nil && !errors.Is(err, kv.ErrNotFound):
			return err
		}
		due = true
		return tx.Set(k, binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano())))
	})
	if err != nil {
		return false, fmt.Errorf("vacation log of account %d: %w", a, err)
	}
	return due, nil
}

// MaxVacationPeriod is the longest period a reply is remembered (RFC 5230
// :days is capped at 90 in zest, SV-36); older entries are dropped.
const MaxVacationPeriod = 90 * 24 * time.Hour

// collectVacationLog drops entries older than MaxVacationPeriod: they can
// no longer hold back a reply.
func (s *Store) collectVacationLog(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-MaxVacationPeriod)
	removed := 0
	for {
		var old [][]byte
		err := s.view(func(r kv.Reader) error {
			return r.Scan([]byte{tVacation}, nil, false, func(k, v []byte) (bool, error) {
				if len(v) == 8 && time.Unix(0, int64(binary.BigEndian.Uint64(v))).Before(cutoff) {
					old = append(old, slices.Clone(k))
				}
				return len(old) < removeBatch, nil
			})
		})
		if err != nil || len(old) == 0 {
			return removed, err
		}
		n, err := s.deleteKeys(ctx, "vacation log cleanup", old)
		removed += n
		if err != nil {
			return removed, err
		}
		if len(old) < removeBatch {
			return removed, nil
		}
	}
}

// SieveNoticeDue reports whether account a may be sent another notice
// that its script failed (SV-26), at most one per period, and records it
// if so. It shares the response log: the notice is the server's own
// auto-reply to the user, keyed apart from any sender address.
func (s *Store) SieveNoticeDue(ctx context.Context, a AccountID, period time.Duration) (bool, error) {
	return s.VacationDue(ctx, a, "\x00sieve-error-notice", "", period)
}
