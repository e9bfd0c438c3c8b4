// Package kv is the narrow seam between zest's mail store and the ordered,
// transactional key-value engine underneath it.
//
// The store above speaks only these interfaces: transactions that get, set
// and delete byte keys and scan ordered key ranges. Badger is the embedded
// engine (Open); a distributed engine with the same shape can stand behind
// the same interfaces without the rest of the program noticing. No engine
// type crosses this package's API.
package kv

import (
	"errors"
	"io"
)

// ErrNotFound is returned by Get when a key has no value.
var ErrNotFound = errors.New("kv: key not found")

// ErrTxnTooBig is returned by Set or Delete when a transaction cannot take
// more writes; the caller commits what it has and continues in a new one.
var ErrTxnTooBig = errors.New("kv: transaction too big")

// ErrClosed is returned after the engine has been closed.
var ErrClosed = errors.New("kv: closed")

// Reader reads a consistent snapshot.
type Reader interface {
	// Get returns a copy of the value stored under key, or ErrNotFound.
	Get(key []byte) ([]byte, error)
	// Scan calls fn for each key in [start, end) in ascending key order, or in
	// descending order when reverse is set. A nil end means "every key with
	// prefix start". key and value are only valid during the call. fn stops
	// the scan by returning false or an error; the error is returned by Scan.
	Scan(start, end []byte, reverse bool, fn func(key, value []byte) (bool, error)) error
}

// Txn is a read-write transaction. Reads see the transaction's own writes.
type Txn interface {
	Reader
	Set(key, value []byte) error
	Delete(key []byte) error
}

// DB is an opened engine.
type DB interface {
	// View runs fn in a read-only snapshot.
	View(fn func(Reader) error) error
	// Update runs fn in a read-write transaction and commits it when fn
	// returns nil. When Update returns nil the writes are durable on disk.
	Update(fn func(Txn) error) error
	// Size reports the bytes the engine occupies on disk.
	Size() int64
	// Maintain reclaims space left by deleted values; it is safe to call at
	// any time and returns quickly when there is nothing to do.
	Maintain() error
	// Backup writes a consistent snapshot of every key to w, in a form
	// LoadBadger reads back.
	Backup(w io.Writer) error
	Close() error
}

// PrefixEnd returns the smallest key greater than every key that starts
// with prefix, or nil when there is none (prefix is all 0xff).
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
