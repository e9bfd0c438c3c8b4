package storage

import (
	"context"
	"errors"
	"fmt"

	"zest/storage/kv"
)

// blobChunkSize splits a message body into pieces. Pieces keep any one
// engine value small (a distributed engine wants values well under a few
// MiB), keep large messages from counting against the transaction limit,
// and let a partial FETCH read only the pieces it needs.
const blobChunkSize = 256 << 10

// maxStoredHeader bounds the header kept beside a body for SEARCH; a longer
// header (rare, hostile) is read from the body instead.
const maxStoredHeader = 64 << 10

// storeBlob adds refs references to the body with hash h, writing the body,
// its parsed description and its top-level header (the first headerLen
// bytes) only if it is not stored yet.
func (tx *wtx) storeBlob(h BlobHash, raw, info []byte, headerLen int, refs uint64) error {
	k := blobHeadKey(h)
	v, err := tx.Get(k)
	switch {
	case err == nil:
		head, err := decodeBlobHead(v)
		if err != nil {
			return err
		}
		head.Refs += refs
		return tx.Set(k, encodeBlobHead(head))
	case !errors.Is(err, kv.ErrNotFound):
		return err
	}
	head := blobHead{Size: int64(len(raw)), Refs: refs}
	for off := 0; off < len(raw) || off == 0; off += blobChunkSize {
		end := min(off+blobChunkSize, len(raw))
		if err := tx.Set(blobChunkKey(h, head.Chunks), raw[off:end]); err != nil {
			return err
		}
		head.Chunks++
		if end == len(raw) {
			break
		}
	}
	if err := tx.Set(blobInfoKey(h), info); err != nil {
		return err
	}
	if headerLen <= maxStoredHeader && headerLen <= len(raw) {
		if err := tx.Set(blobHdrKey(h), raw[:headerLen]); err != nil {
			return err
		}
	}
	return tx.Set(k, encodeBlobHead(head))
}

// addBlobRefs adds references to a body that is known to be stored (COPY).
func (tx *wtx) addBlobRefs(h BlobHash, refs uint64) error {
	v, err := getRecord(tx, blobHeadKey(h), fmt.Errorf("blob %s: %w", h, ErrNotFound))
	if err != nil {
		return err
	}
	head, err := decodeBlobHead(v)
	if err != nil {
		return err
	}
	head.Refs += refs
	return tx.Set(blobHeadKey(h), encodeBlobHead(head))
}

// releaseBlob drops one reference and deletes the body with the last one.
func (tx *wtx) releaseBlob(h BlobHash) error {
	v, err := tx.Get(blobHeadKey(h))
	if errors.Is(err, kv.ErrNotFound) {
		return nil // already gone; nothing to keep consistent
	}
	if err != nil {
		return err
	}
	head, err := decodeBlobHead(v)
	if err != nil {
		return err
	}
	if head.Refs > 1 {
		head.Refs--
		return tx.Set(blobHeadKey(h), encodeBlobHead(head))
	}
	for i := uint32(0); i < head.Chunks; i++ {
		if err := tx.Delete(blobChunkKey(h, i)); err != nil {
			return err
		}
	}
	if err := tx.Delete(blobInfoKey(h)); err != nil {
		return err
	}
	if err := tx.Delete(blobHdrKey(h)); err != nil {
		return err
	}
	return tx.Delete(blobHeadKey(h))
}

// BlobRefs reports how many messages share the body with hash h (0 when it
// is not stored).
func (s *Store) BlobRefs(ctx context.Context, h BlobHash) (uint64, error) {
	var refs uint64
	err := s.view(func(r kv.Reader) error {
		v, err := r.Get(blobHeadKey(h))
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		head, err := decodeBlobHead(v)
		refs = head.Refs
		return err
	})
	return refs, err
}

// ReadBlob returns length bytes of a body from offset (fewer at its end);
// length < 0 reads to the end. Only the chunks that hold the range are read.
func (s *Store) ReadBlob(ctx context.Context, h BlobHash, offset, length int64) ([]byte, error) {
	var out []byte
	err := s.view(func(r kv.Reader) error {
		var err error
		out, err = readBlob(r, h, offset, length)
		return err
	})
	return out, err
}

func readBlob(r kv.Reader, h BlobHash, offset, length int64) ([]byte, error) {
	v, err := getRecord(r, blobHeadKey(h), fmt.Errorf("blob %s: %w", h, ErrNotFound))
	if err != nil {
		return nil, err
	}
	head, err := decodeBlobHead(v)
	if err != nil {
		return nil, err
	}
	offset = max(offset, 0)
	if offset >= head.Size {
		return []byte{}, nil
	}
	end := head.Size
	if length >= 0 && offset+length < end {
		end = offset + length
	}
	out := make([]byte, 0, end-offset)
	for c := offset / blobChunkSize; c*blobChunkSize < end; c++ {
		chunk, err := getRecord(r, blobChunkKey(h, uint32(c)), fmt.Errorf("blob %s chunk %d: %w", h, c, errCorrupt))
		if err != nil {
			return nil, err
		}
		lo := max(offset-c*blobChunkSize, 0)
		hi := min(end-c*blobChunkSize, int64(len(chunk)))
		if lo > hi {
			return nil, fmt.Errorf("blob %s chunk %d: %w", h, c, errCorrupt)
		}
		out = append(out, chunk[lo:hi]...)
	}
	if int64(len(out)) != end-offset {
		return nil, fmt.Errorf("blob %s: %w", h, errCorrupt)
	}
	return out, nil
}
