package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"zest/storage/kv"
)

// Errors callers tell apart. Every other error is a storage failure (disk
// full, I/O error) that protocol servers answer with a temporary failure.
var (
	ErrClosed             = errors.New("storage: store is closed")
	ErrNotFound           = errors.New("storage: not found")
	ErrExists             = errors.New("storage: already exists")
	ErrBadCredentials     = errors.New("storage: bad credentials")
	ErrAccountDisabled    = errors.New("storage: account disabled")
	ErrUnknownRecipient   = errors.New("storage: unknown recipient")
	ErrNoSuchMailbox      = errors.New("storage: no such mailbox")
	ErrInvalidName        = errors.New("storage: invalid name")
	ErrTooLarge           = errors.New("storage: too large for one write")
	ErrModifiedSince      = errors.New("storage: modified since")
	ErrMailboxHasChildren = errors.New("storage: mailbox has children")
	ErrUIDSpaceExhausted  = errors.New("storage: mailbox UID space exhausted")
	// ErrDiskFull means the data directory's file system has less free space
	// than the store keeps in reserve; nothing was written. Deleting mail
	// still works, so a user can make room.
	ErrDiskFull = errors.New("storage: not enough free disk space")
)

// Options configures a Store.
type Options struct {
	Logger *slog.Logger
	Engine kv.BadgerOptions
	// Password sets the KDF cost; zero means DefaultPasswordParams.
	Password PasswordParams
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// HeaderCacheBytes bounds the in-memory cache of message headers that
	// SEARCH reads (default 8 MiB; < 0 turns it off).
	HeaderCacheBytes int
	// MinFreeBytes is the free space kept in reserve in the data
	// directory's file system: changes are refused with ErrDiskFull below
	// it. 0 means DefaultMinFreeBytes for the engine options; < 0 turns the
	// check off (tests only: the engine dies on a really full disk).
	MinFreeBytes int64
	// ClientMaxAge is how long a Client-ID nobody uses is kept (default
	// DefaultClientMaxAge; never less than MinClientAge).
	ClientMaxAge time.Duration
	// MaxTombstones is how many expunge tombstones a mailbox keeps before
	// the oldest are dropped (default DefaultMaxTombstones).
	MaxTombstones uint32
	// MaxSieveScripts is how many Sieve scripts an account may keep
	// (default DefaultMaxSieveScripts).
	MaxSieveScripts int
	// MaxSieveScriptSize bounds one Sieve script in bytes (default
	// DefaultMaxSieveScriptSize).
	MaxSieveScriptSize int
}

// DefaultMinFreeBytes is the reserve that covers what the engine may still
// write into files it has already mapped: a value-log file (mapped at twice
// its size), two memtable logs (likewise), and room for compaction.
func DefaultMinFreeBytes(o kv.BadgerOptions) int64 {
	return 2*o.ValueLogFileSize + minFreeFloor(o)
}

// minFreeFloor is the smaller reserve that opening the store and deleting
// mail need: they write no message bodies, only small records into the
// memtable logs.
func minFreeFloor(o kv.BadgerOptions) int64 { return 4*o.MemTableSize + 16<<20 }

// Store is zest's mail store. All methods are safe for concurrent use.
//
// Every change goes through one writer goroutine that gathers the changes
// waiting at that moment into a single engine transaction and a single
// fsync (group commit). Because one goroutine writes, counters such as
// UIDNEXT and HIGHESTMODSEQ are read-modify-written without races and
// commit order is the order events are published in.
type Store struct {
	db              kv.DB
	log             *slog.Logger
	now             func() time.Time
	hub             *hub
	auth            *authCache
	pwd             PasswordParams
	dummy           string
	dummyOnce       sync.Once
	ops             chan *writeOp
	mu              sync.RWMutex // guards closed against ops being sent
	closed          bool
	quit            chan struct{} // closed by Close; stops background work
	wg              sync.WaitGroup
	stats           Stats
	space           *diskSpace
	headers         *headerCache
	online          onlineClients // Client-IDs in use by live sessions
	clientAge       time.Duration
	maxTombstones   uint32        // per mailbox; the daily cleanup drops older ones
	logins          *LoginLimiter // shared by every protocol
	sieveMaxScripts int           // per account; 0 means the default
	sieveMaxSize    int           // bytes; 0 means the default
	kdfRuns         atomic.Int64  // password hashes verified, so tests can count the cost of a login
}

// Stats counts the writer's work since Open.
type Stats struct {
	mu      sync.Mutex
	Batches uint64 // engine commits (fsyncs)
	Ops     uint64 // changes committed
}

// Open opens the store whose engine files live in dir.
func Open(dir string, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Engine == (kv.BadgerOptions{}) {
		o.Engine = kv.DefaultBadgerOptions()
	}
	if o.Engine.Logger == nil {
		o.Engine.Logger = o.Logger
	}
	if o.Password == (PasswordParams{}) {
		o.Password = DefaultPasswordParams
	}
	if o.HeaderCacheBytes == 0 {
		o.HeaderCacheBytes = 8 << 20
	}
	if o.MinFreeBytes == 0 {
		o.MinFreeBytes = DefaultMinFreeBytes(o.Engine)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store directory: %w", err)
	}
	space := &diskSpace{dir: dir, reserve: o.MinFreeBytes, floor: min(o.MinFreeBytes, minFreeFloor(o.Engine))}
	if err := space.check(0, true, o.Now()); err != nil {
		// Opening writes too (new memtable and value-log files).
		return nil, err
	}
	db, err := kv.OpenBadger(dir, o.Engine)
	if err != nil {
		return nil, err
	}
	s := newStore(db, o)
	s.space = space
	if err := s.buildIndexes(context.Background()); err != nil {
		s.Close()
		return nil, fmt.Errorf("build indexes: %w", err)
	}
	return s, nil
}

func newStore(db kv.DB, o Options) *Store {
	s := &Store{
		db:      db,
		log:     o.Logger,
		now:     o.Now,
		hub:     newHub(),
		auth:    newAuthCache(o.Now),
		pwd:     o.Password,
		ops:     make(chan *writeOp, 1024),
		quit:    make(chan struct{}),
		space:   &diskSpace{reserve: -1},
		headers: newHeaderCache(o.HeaderCacheBytes),
		logins:  NewLoginLimiter(250 * time.Millisecond),
	}
	s.clientAge = o.ClientMaxAge
	s.maxTombstones = o.MaxTombstones
	s.sieveMaxScripts, s.sieveMaxSize = o.MaxSieveScripts, o.MaxSieveScriptSize
	if s.maxTombstones == 0 {
		s.maxTombstones = DefaultMaxTombstones
	}
	s.wg.Add(2)
	go s.writer()
	go s.maintainer()
	return s
}

// Close finishes the changes already submitted, refuses new ones, and
// closes the engine.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	close(s.ops)
	close(s.quit)
	s.mu.Unlock()
	s.wg.Wait()
	return s.db.Close()
}

// DiskSize reports the bytes the store occupies on disk.
func (s *Store) DiskSize() int64 { return s.db.Size() }

// WriterStats returns how many commits and changes the writer has made.
func (s *Store) WriterStats() (batches, ops uint64) {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	return s.stats.Batches, s.stats.Ops
}

func (s *Store) maintainer() {
	defer s.wg.Done()
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	var collected time.Time
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			if err := s.db.Maintain(); err != nil && !errors.Is(err, kv.ErrClosed) {
				s.log.Warn("store maintenance", "err", err)
			}
			if now := s.now(); now.Sub(collected) >= 24*time.Hour {
				collected = now
				s.collectExpired(now)
			}
		}
	}
}

// A writeOp is one change submitted to the writer. Its fn may run more than
// once (when another change in the same batch fails, the batch is retried
// without it), so fn must keep its results in variables it overwrites, and
// must have no effect outside the transaction.
type writeOp struct {
	name   string
	fn     func(tx *wtx) error
	done   chan error
	events []Event
}

// wtx is the transaction a writeOp runs in.
type wtx struct {
	kv.Txn
	s  *Store
	op *writeOp
	// presence holds the presence-bitmap blocks this change modified,
	// written once at its end: a bulk change touches one block thousands
	// of times, and each engine write of it would count against the
	// transaction's size.
	presence map[string][]byte
}

// emit queues an event to be published once the transaction is durable.
func (tx *wtx) emit(ev Event) { tx.op.events = append(tx.op.events, ev) }

// nextSeq allocates the next value of a store-wide counter.
func (tx *wtx) nextSeq(name string, floor uint64) (uint64, error) {
	k := seqKey(name)
	var cur uint64
	v, err := tx.Get(k)
	switch {
	case err == nil && len(v) == 8:
		cur = binary.BigEndian.Uint64(v)
	case err == nil:
		return 0, errCorrupt
	case !errors.Is(err, kv.ErrNotFound):
		return 0, err
	}
	next := max(cur+1, floor)
	return next, tx.Set(k, binary.BigEndian.AppendUint64(nil, next))
}

// write submits fn to the writer and waits until it is durable or failed.
// It first makes sure the disk has room for a small change.
func (s *Store) write(ctx context.Context, name string, fn func(tx *wtx) error) error {
	return s.writeSized(ctx, name, 4<<10, fn)
}

// writeSized is write for a change that adds about need bytes.
func (s *Store) writeSized(ctx context.Context, name string, need int64, fn func(tx *wtx) error) error {
	if err := s.space.check(need, false, s.now()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return s.submit(ctx, name, fn)
}

// writeFreeing is write for a change that removes data (expunge, delete):
// it needs only the smaller floor, so a user can make room on a full disk.
func (s *Store) writeFreeing(ctx context.Context, name string, fn func(tx *wtx) error) error {
	if err := s.space.check(4<<10, true, s.now()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return s.submit(ctx, name, fn)
}

func (s *Store) submit(ctx context.Context, name string, fn func(tx *wtx) error) error {
	op := &writeOp{name: name, fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.ops <- op:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	// Once submitted the change may commit; wait for the outcome even if
	// ctx ends, so a caller never reports failure for a change that landed.
	return <-op.done
}

// maxBatch bounds how many changes share one commit, so one fsync never
// waits behind an unbounded amount of work.
const maxBatch = 256

func (s *Store) writer() {
	defer s.wg.Done()
	batch := make([]*writeOp, 0, maxBatch)
	for first := range s.ops {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case op, ok := <-s.ops:
				if !ok {
					break fill
				}
				batch = append(batch, op)
			default:
				break fill
			}
		}
		s.runBatch(batch)
	}
}

// errAbortBatch unwinds the engine transaction when one change fails.
var errAbortBatch = errors.New("abort batch")

// runBatch commits ops in as few transactions as possible. A change that
// fails is answered with its error and the others are retried without it.
func (s *Store) runBatch(ops []*writeOp) {
	for len(ops) > 0 {
		n := len(ops) // how many ops this transaction commits
		failed, failErr := -1, error(nil)
		err := s.db.Update(func(t kv.Txn) error {
			for i, op := range ops {
				op.events = op.events[:0]
				tx := &wtx{Txn: t, s: s, op: op}
				err := op.fn(tx)
				if err == nil {
					err = tx.flushPresence()
				}
				if err == nil {
					continue
				}
				if errors.Is(err, kv.ErrTxnTooBig) && i > 0 {
					n = i // commit what fits; the rest goes in the next transaction
					return nil
				}
				if errors.Is(err, kv.ErrTxnTooBig) {
					err = fmt.Errorf("%s: %w", op.name, ErrTooLarge)
				}
				failed, failErr = i, err
				return errAbortBatch
			}
			return nil
		})
		if failed >= 0 {
			ops[failed].done <- failErr
			ops = append(ops[:failed:failed], ops[failed+1:]...)
			continue
		}
		if err != nil {
			s.log.Error("store commit failed", "changes", n, "err", err)
			for _, op := range ops[:n] {
				op.done <- fmt.Errorf("%s: commit: %w", op.name, err)
			}
			ops = ops[n:]
			continue
		}
		s.stats.mu.Lock()
		s.stats.Batches++
		s.stats.Ops += uint64(n)
		s.stats.mu.Unlock()
		for _, op := range ops[:n] {
			for _, ev := range op.events {
				s.hub.publish(ev)
			}
			op.done <- nil
		}
		ops = ops[n:]
	}
}

// view runs fn in a read-only snapshot.
func (s *Store) view(fn func(r kv.Reader) error) error {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	return s.db.View(fn)
}

// getRecord reads a key, mapping a missing key to notFound.
func getRecord(r kv.Reader, k []byte, notFound error) ([]byte, error) {
	v, err := r.Get(k)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, notFound
	}
	return v, err
}
