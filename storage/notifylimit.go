package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"zest/storage/kv"
)

// The hourly cap on the mail notifications an account's Sieve script may
// send (RFC 5436 §5, NA-47): a script on a busy mailbox must not turn into
// a mail cannon. Counts live per account and clock hour.

func notifyRateKey(a AccountID, hour int64) []byte {
	k := binary.BigEndian.AppendUint64(key(tNotifyRate, 16), uint64(a))
	return binary.BigEndian.AppendUint64(k, uint64(hour))
}

// NotifyAllowed reports whether account a may send one more mail
// notification this hour under a cap of perHour, and counts it if so.
func (s *Store) NotifyAllowed(ctx context.Context, a AccountID, perHour int) (bool, error) {
	hour := s.now().Unix() / 3600
	k := notifyRateKey(a, hour)
	allowed := false
	err := s.write(ctx, "notification count", func(tx *wtx) error {
		allowed = false
		var n uint32
		v, err := tx.Get(k)
		switch {
		case err == nil && len(v) == 4:
			n = binary.BigEndian.Uint32(v)
		case err != nil && !errors.Is(err, kv.ErrNotFound):
			return err
		}
		if int(n) >= perHour {
			return nil
		}
		allowed = true
		return tx.Set(k, binary.BigEndian.AppendUint32(nil, n+1))
	})
	if err != nil {
		return false, fmt.Errorf("notification count of account %d: %w", a, err)
	}
	return allowed, nil
}

// collectNotifyCounts drops the counts of past hours.
func (s *Store) collectNotifyCounts(ctx context.Context) error {
	current := s.now().Unix() / 3600
	var old [][]byte
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tNotifyRate}, nil, false, func(k, v []byte) (bool, error) {
			if len(k) == 17 && int64(binary.BigEndian.Uint64(k[9:])) < current {
				old = append(old, slices.Clone(k))
			}
			return len(old) < removeBatch, nil
		})
	})
	if err != nil || len(old) == 0 {
		return err
	}
	_, err = s.deleteKeys(ctx, "notification count cleanup", old)
	return err
}
