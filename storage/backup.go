package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"zest/storage/kv"
)

// Backup writes a consistent snapshot of the whole store to w while the
// server goes on: every key as of one moment, streamed, never held in
// memory. Restore reads it back into an empty data directory. Cancelling
// ctx stops the backup at its next write.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	if err := s.db.Backup(ctxWriter{ctx, w}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// ctxWriter fails its writes once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// Restore fills dir, which must not exist or be empty, with the store
// written by Backup. Open it afterwards as usual; the server must not be
// running on dir meanwhile.
func Restore(dir string, r io.Reader, o Options) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	case err != nil:
		return fmt.Errorf("restore: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("restore into %s: the directory is not empty; restore into a new one", dir)
	}
	if o.Engine == (kv.BadgerOptions{}) {
		o.Engine = kv.DefaultBadgerOptions()
	}
	if o.Engine.Logger == nil {
		o.Engine.Logger = o.Logger
	}
	if o.Engine.Logger == nil {
		o.Engine.Logger = slog.New(slog.DiscardHandler)
	}
	if err := kv.LoadBadger(dir, o.Engine, r); err != nil {
		return fmt.Errorf("restore into %s: %w", dir, err)
	}
	return nil
}
