package storage

import (
	"context"
	"errors"
	"fmt"

	"zest/storage/kv"
	"zest/storage/mimeinfo"
)

// Reader reads one consistent snapshot of the store. A command that reads
// many messages (SEARCH, FETCH) does it through one Reader: one engine
// transaction instead of one per read, and a view that does not shift
// under it.
type Reader struct {
	r       kv.Reader
	headers *headerCache
}

// Read runs fn with a snapshot of the store.
func (s *Store) Read(ctx context.Context, fn func(*Reader) error) error {
	return s.view(func(r kv.Reader) error { return fn(&Reader{r: r, headers: s.headers}) })
}

// Message returns one message by UID.
func (r *Reader) Message(a AccountID, mb MailboxID, uid UID) (*Message, error) {
	return readMessage(r.r, a, mb, uid)
}

// MessageInfo returns the description of a body parsed at delivery:
// envelope, body structure with part offsets, header length.
func (r *Reader) MessageInfo(h BlobHash) (*mimeinfo.Info, error) {
	b, err := getRecord(r.r, blobInfoKey(h), fmt.Errorf("blob %s: %w", h, ErrNotFound))
	if err != nil {
		return nil, err
	}
	return mimeinfo.Decode(b)
}

// MessageHeader returns a message's top-level header (with the blank line
// that ends it), kept beside the body at delivery so that SEARCH reads a
// small record rather than the body, and cached in memory. The bytes are
// shared: callers must not modify them.
func (r *Reader) MessageHeader(h BlobHash) ([]byte, error) {
	if b, ok := r.headers.get(h); ok {
		return b, nil
	}
	b, err := r.r.Get(blobHdrKey(h))
	if err == nil {
		r.headers.put(h, b)
		return b, nil
	}
	if !errors.Is(err, kv.ErrNotFound) {
		return nil, err
	}
	// A header too long to keep apart: read it from the body.
	info, err := r.MessageInfo(h)
	if err != nil {
		return nil, err
	}
	return readBlob(r.r, h, 0, int64(info.HeaderLen))
}

// ReadBlob returns length bytes of a body from offset; length < 0 reads to
// the end.
func (r *Reader) ReadBlob(h BlobHash, offset, length int64) ([]byte, error) {
	return readBlob(r.r, h, offset, length)
}

// MessageInfo returns the description of the body with hash h.
func (s *Store) MessageInfo(ctx context.Context, h BlobHash) (*mimeinfo.Info, error) {
	var info *mimeinfo.Info
	err := s.Read(ctx, func(r *Reader) error {
		var err error
		info, err = r.MessageInfo(h)
		return err
	})
	return info, err
}

// MessageHeader returns the top-level header of the body with hash h.
func (s *Store) MessageHeader(ctx context.Context, h BlobHash) ([]byte, error) {
	var hdr []byte
	err := s.Read(ctx, func(r *Reader) error {
		var err error
		hdr, err = r.MessageHeader(h)
		return err
	})
	return hdr, err
}

// Messages returns the records of the messages with UIDs lo..hi, in UID order.
func (r *Reader) Messages(a AccountID, mb MailboxID, lo, hi UID) ([]*Message, error) {
	var out []*Message
	err := r.r.Scan(messageKey(a, mb, lo), kv.PrefixEnd(messageKey(a, mb, hi)), false, func(k, v []byte) (bool, error) {
		m, err := decodeMessage(uidFromMessageKey(k), v)
		if err != nil {
			return false, err
		}
		out = append(out, m)
		return true, nil
	})
	return out, err
}
