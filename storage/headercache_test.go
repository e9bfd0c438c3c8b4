package storage

import (
	"bytes"
	"testing"
)

func TestHeaderCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newHeaderCache(16 * (100 + 64))
	hdr := bytes.Repeat([]byte("x"), 100)
	for i := range 16 {
		c.put(BlobHash{byte(i)}, hdr)
	}
	c.get(BlobHash{0}) // most recently used now
	c.put(BlobHash{99}, hdr)
	if _, ok := c.get(BlobHash{1}); ok {
		t.Error("the least recently used entry was kept")
	}
	if _, ok := c.get(BlobHash{0}); !ok {
		t.Error("a recently used entry was evicted")
	}
	if c.size > c.max {
		t.Errorf("size %d over the bound %d", c.size, c.max)
	}
	c.put(BlobHash{200}, bytes.Repeat([]byte("y"), c.max))
	if _, ok := c.get(BlobHash{200}); ok {
		t.Error("an entry larger than a sixteenth of the cache was kept")
	}
	var off *headerCache
	off.put(BlobHash{1}, hdr) // a nil cache is off, not a crash
	if _, ok := off.get(BlobHash{1}); ok {
		t.Error("nil cache returned an entry")
	}
}
