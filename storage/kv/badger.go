package kv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// BadgerOptions sizes the embedded engine. The defaults are chosen for a
// 1 GB single-board computer: Badger's own defaults assume a server (64 MiB
// memtables, five of them, a 256 MiB block cache and 1 GiB value-log files).
type BadgerOptions struct {
	// MemTableSize is the size of one in-memory write table. Two exist at a
	// time (one filling, one flushing). It also caps one transaction at 15%
	// of its size, which is why message bodies are chunked above.
	MemTableSize int64
	// BlockCacheSize caches decompressed LSM blocks (metadata reads).
	BlockCacheSize int64
	// IndexCacheSize caches table indexes and bloom filters; 0 keeps them all in memory.
	IndexCacheSize int64
	// ValueThreshold: values at least this long live in the value log, not
	// the LSM tree, so message bodies never go through compaction.
	ValueThreshold int64
	// ValueLogFileSize is the size of one value-log segment; smaller
	// segments let garbage collection give disk space back sooner.
	ValueLogFileSize int64
	// Logger receives Badger's own messages at warning level and above.
	Logger *slog.Logger
}

// DefaultBadgerOptions returns the 1 GB-board sizing.
func DefaultBadgerOptions() BadgerOptions {
	return BadgerOptions{
		MemTableSize:     8 << 20,
		BlockCacheSize:   8 << 20,
		IndexCacheSize:   8 << 20,
		ValueThreshold:   1 << 10,
		ValueLogFileSize: 64 << 20,
	}
}

type badgerDB struct {
	db *badger.DB
}

// OpenBadger opens (creating if needed) a Badger database in dir with every
// commit synced to disk before Update returns.
func OpenBadger(dir string, o BadgerOptions) (DB, error) {
	opts := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithMemTableSize(o.MemTableSize).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBaseTableSize(2 << 20).
		WithNumCompactors(2).
		WithBlockCacheSize(o.BlockCacheSize).
		WithIndexCacheSize(o.IndexCacheSize).
		WithValueThreshold(o.ValueThreshold).
		WithValueLogFileSize(o.ValueLogFileSize).
		WithCompression(options.Snappy).
		WithMetricsEnabled(false).
		WithNumGoroutines(2).
		WithLogger(badgerLogger{o.Logger})
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open badger in %s: %w", dir, err)
	}
	return &badgerDB{db: db}, nil
}

func (b *badgerDB) View(fn func(Reader) error) error {
	return mapErr(b.db.View(func(txn *badger.Txn) error { return fn(badgerTxn{txn}) }))
}

func (b *badgerDB) Update(fn func(Txn) error) error {
	return mapErr(b.db.Update(func(txn *badger.Txn) error { return fn(badgerTxn{txn}) }))
}

func (b *badgerDB) Size() int64 {
	lsm, vlog := b.db.Size()
	return lsm + vlog
}

func (b *badgerDB) Maintain() error {
	for {
		// Rewrite a value-log file when at least half of it is garbage.
		err := b.db.RunValueLogGC(0.5)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return nil
		}
		if err != nil {
			return mapErr(err)
		}
	}
}

func (b *badgerDB) Backup(w io.Writer) error {
	// A stream reads at one timestamp, so the backup is one snapshot
	// while writes go on. Two goroutines suit a small board.
	st := b.db.NewStream()
	st.NumGo = 2
	st.LogPrefix = "backup"
	_, err := st.Backup(w, 0)
	return mapErr(err)
}

// LoadBadger fills a new, empty database in dir from a backup written by
// DB.Backup.
func LoadBadger(dir string, o BadgerOptions, r io.Reader) error {
	db, err := OpenBadger(dir, o)
	if err != nil {
		return err
	}
	bdb := db.(*badgerDB)
	empty := true
	err = bdb.View(func(r Reader) error {
		return r.Scan(nil, nil, false, func(_, _ []byte) (bool, error) {
			empty = false
			return false, nil
		})
	})
	if err == nil && !empty {
		err = fmt.Errorf("load into %s: the database is not empty", dir)
	}
	if err == nil {
		err = mapErr(bdb.db.Load(r, 16))
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func (b *badgerDB) Close() error { return b.db.Close() }

type badgerTxn struct{ txn *badger.Txn }

func (t badgerTxn) Get(key []byte) ([]byte, error) {
	item, err := t.txn.Get(key)
	if err != nil {
		return nil, mapErr(err)
	}
	return item.ValueCopy(nil)
}

func (t badgerTxn) Scan(start, end []byte, reverse bool, fn func(key, value []byte) (bool, error)) error {
	if end == nil {
		end = PrefixEnd(start)
	}
	// The common prefix of the bounds lets Badger skip the tables and
	// memtable entries that cannot hold a key of the range.
	it := t.txn.NewIterator(badger.IteratorOptions{Reverse: reverse, PrefetchValues: false, Prefix: commonPrefix(start, end)})
	defer it.Close()
	if reverse {
		// Seek in reverse finds the largest key <= the argument; end is exclusive.
		if end == nil {
			it.Rewind()
		} else {
			it.Seek(end)
		}
	} else {
		it.Seek(start)
	}
	for ; it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if reverse {
			if end != nil && bytes.Compare(k, end) >= 0 {
				continue
			}
			if bytes.Compare(k, start) < 0 {
				return nil
			}
		} else if end != nil && bytes.Compare(k, end) >= 0 {
			return nil
		}
		var more bool
		err := item.Value(func(v []byte) error {
			var err error
			more, err = fn(k, v)
			return err
		})
		if err != nil {
			return mapErr(err)
		}
		if !more {
			return nil
		}
	}
	return nil
}

func (t badgerTxn) Set(key, value []byte) error { return mapErr(t.txn.Set(key, value)) }
func (t badgerTxn) Delete(key []byte) error     { return mapErr(t.txn.Delete(key)) }

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return ErrNotFound
	case errors.Is(err, badger.ErrTxnTooBig):
		return ErrTxnTooBig
	case errors.Is(err, badger.ErrDBClosed):
		return ErrClosed
	}
	return err
}

// badgerLogger forwards Badger's warnings and errors to slog and drops its
// chatty informational lines.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) log(level slog.Level, format string, args ...any) {
	if b.l == nil {
		return
	}
	b.l.Log(context.Background(), level, "badger: "+trimNewline(fmt.Sprintf(format, args...)))
}

func trimNewline(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	return s
}

func (b badgerLogger) Errorf(f string, a ...any)   { b.log(slog.LevelError, f, a...) }
func (b badgerLogger) Warningf(f string, a ...any) { b.log(slog.LevelWarn, f, a...) }
func (b badgerLogger) Infof(string, ...any)        {}
func (b badgerLogger) Debugf(string, ...any)       {}

// commonPrefix returns the longest prefix shared by a and b.
func commonPrefix(a, b []byte) []byte {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}
