package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"time"
)

// The engine writes through memory-mapped files that it creates sparse and
// fills as it goes (Badger's value log and memtable logs). On a full file
// system a write into such a mapping cannot fail politely: the kernel kills
// the process with SIGBUS. So the store refuses changes while free space is
// below a reserve that covers every file the engine may still be filling,
// and answers ErrDiskFull instead, as Postfix does with queue_minfree.

// spaceCheckInterval bounds how stale the free-space figure may be. Between
// checks, the bytes the store writes are subtracted from it.
const spaceCheckInterval = time.Second

type diskSpace struct {
	dir     string
	reserve int64 // what new mail must leave free; < 0: never check
	floor   int64 // what opening the store and deleting must leave free

	mu      sync.Mutex
	checked time.Time
	free    int64
	known   bool
}

// check returns ErrDiskFull when writing need more bytes would leave less
// than the reserve free, or, for a change that frees space, less than the
// floor.
func (d *diskSpace) check(need int64, freeing bool, now time.Time) error {
	if d.reserve < 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if now.Sub(d.checked) >= spaceCheckInterval || !d.known {
		free, ok, err := freeBytes(d.dir)
		if err != nil {
			return fmt.Errorf("free space of %s: %w", d.dir, err)
		}
		d.free, d.known, d.checked = free, ok, now
	}
	if !d.known {
		return nil // this platform cannot tell; write and hope
	}
	keep := d.reserve
	if freeing {
		keep = d.floor
	}
	if d.free-need < keep {
		return fmt.Errorf("%w: %d MiB free in %s, %d MiB kept in reserve", ErrDiskFull, d.free>>20, d.dir, keep>>20)
	}
	d.free -= need
	return nil
}

// CheckSpace reports ErrDiskFull when the store could not take need more
// bytes now. SMTP asks it at MAIL FROM, before the client sends anything.
func (s *Store) CheckSpace(need int64) error {
	return s.space.check(need, false, s.now())
}

// DiskUsage reports the disk space the store's directory takes now: the
// blocks its files occupy, which for Badger's sparse files is less than
// their length. DiskSize is Badger's own figure, refreshed only now and
// then.
func (s *Store) DiskUsage() (int64, error) {
	var total int64
	err := filepath.WalkDir(s.space.dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // a file removed by compaction meanwhile
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		total += allocatedBytes(fi)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("disk usage of %s: %w", s.space.dir, err)
	}
	return total, nil
}
