package storage

import (
	"container/list"
	"sync"
)

// headerCache keeps recently read message headers in memory, shared by
// every session, the way Dovecot keeps a cache file: SEARCH FROM, SUBJECT
// or HEADER on a mailbox reads every message's header, and a phone searches
// the same mailbox again and again. Bodies are content-addressed and never
// change, so an entry never goes stale; the cache is bounded in bytes and
// drops the least recently used first.
type headerCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recently used
	items map[BlobHash]*list.Element
}

type headerEntry struct {
	hash BlobHash
	hdr  []byte
}

func newHeaderCache(maxBytes int) *headerCache {
	return &headerCache{max: maxBytes, order: list.New(), items: map[BlobHash]*list.Element{}}
}

// get returns a cached header; callers must not modify it.
func (c *headerCache) get(h BlobHash) ([]byte, bool) {
	if c == nil || c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[h]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*headerEntry).hdr, true
}

func (c *headerCache) put(h BlobHash, hdr []byte) {
	if c == nil || c.max <= 0 || len(hdr) > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[h]; ok {
		return
	}
	c.items[h] = c.order.PushFront(&headerEntry{hash: h, hdr: hdr})
	c.size += len(hdr) + 64
	for c.size > c.max {
		last := c.order.Back()
		ent := last.Value.(*headerEntry)
		c.order.Remove(last)
		delete(c.items, ent.hash)
		c.size -= len(ent.hdr) + 64
	}
}
