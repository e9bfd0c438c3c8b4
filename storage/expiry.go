package storage

import (
	"context"
	"errors"
	"time"
)

// collectExpired removes what has outlived its keeping time: Client-IDs
// nobody used for the configured age (CI-25), saved states unused for
// StateLifetime (ST-18), expired or excess Sieve duplicate entries (RFC
// 7352), and the oldest expunge tombstones of mailboxes over MaxTombstones
// (QR-42). Failures are logged; the next run tries again.
func (s *Store) collectExpired(now time.Time) {
	ctx := context.Background()
	n, err := s.CollectClients(ctx, now, s.clientAge)
	if err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("collect client IDs", "err", err)
	}
	if n > 0 {
		s.log.Info("collected unused client IDs", "count", n)
	}
	n, err = s.CollectStates(ctx, now)
	if err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("collect saved states", "err", err)
	}
	if n > 0 {
		s.log.Info("collected expired saved states", "count", n)
	}
	if _, err := s.collectWebSessions(ctx); err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("collect web sessions", "err", err)
	}
	if _, err := s.collectVacationLog(ctx); err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("collect vacation log", "err", err)
	}
	if err := s.collectNotifyCounts(ctx); err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("collect notification counts", "err", err)
	}
	if _, err := s.collectDuplicates(ctx, MaxDuplicates); err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("collect sieve duplicate list", "err", err)
	}
	if err := s.boundTombstones(ctx, s.maxTombstones); err != nil && !errors.Is(err, ErrClosed) {
		s.log.Warn("bound expunge tombstones", "err", err)
	}
}
