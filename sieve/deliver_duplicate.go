package sieve

import (
	"context"
	"fmt"

	"zest/storage"
)

// The duplicate test at delivery (RFC 7352): the store's list answers, and
// the marks a run collected are written by Commit, which the delivery
// calls only once the account's copy was delivered as decided (RFC 7352
// §3: a failed delivery must not make its retry a duplicate).

// storeDuplicates is one account's duplicate list in the store.
type storeDuplicates struct {
	store   *storage.Store
	account storage.AccountID
}

func (t storeDuplicates) Seen(ctx context.Context, handle, id string) (bool, error) {
	return t.store.DuplicateSeen(ctx, t.account, handle, id)
}

func storageMarks(marks []DuplicateMark) []storage.DuplicateMark {
	if len(marks) == 0 {
		return nil
	}
	out := make([]storage.DuplicateMark, len(marks))
	for i, m := range marks {
		out[i] = storage.DuplicateMark{Handle: m.Handle, ID: m.ID, Period: m.Period, Last: m.Last}
	}
	return out
}

// Commit records what account a's script decided that outlives the
// delivery: the duplicate test's IDs. Call it after the account's copy
// was stored, discarded, redirected or rejected as dec says, never when
// the delivery failed.
func (d *Deliverer) Commit(ctx context.Context, a storage.AccountID, dec *Decision) error {
	if dec == nil || len(dec.Duplicates) == 0 {
		return nil
	}
	if err := d.store.MarkDuplicates(ctx, a, dec.Duplicates); err != nil {
		return fmt.Errorf("sieve: record duplicates: %w", err)
	}
	return nil
}
