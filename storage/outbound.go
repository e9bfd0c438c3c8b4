package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"zest/storage/kv"
	"zest/storage/mimeinfo"
)

// The outbound queue: messages zest itself must send — Sieve redirects,
// vacation replies and mailto notifications now, submitted mail later. A
// message is durable here before the delivery that produced it is
// answered, so a crash never loses one; the sender (smtp's queue runner)
// takes messages out with Dequeue once they are handed on or bounced.
// The body is a blob like a stored message's, so a redirect of a message
// that was also filed shares its bytes.

// Origin says what produced an outbound message.
type Origin string

const (
	OriginRedirect Origin = "redirect" // Sieve redirect (RFC 5228 §4.2)
	OriginVacation Origin = "vacation" // Sieve vacation reply (RFC 5230)
	OriginNotify   Origin = "notify"   // Sieve notify with mailto (RFC 5436)
	OriginBounce   Origin = "bounce"   // a DSN or MDN about mail zest received
)

// Outgoing is a message to queue: envelope and bytes.
type Outgoing struct {
	Account AccountID // whose script or submission produced it
	Origin  Origin
	From    string   // MAIL FROM without brackets; "" is the null reverse path
	To      []string // RCPT TO addresses, at least one
	Raw     []byte
}

// QueuedMessage is a message waiting in the outbound queue.
type QueuedMessage struct {
	ID      uint64
	Account AccountID
	Origin  Origin
	From    string
	To      []string
	Size    int64
	Queued  time.Time
	Blob    BlobHash
}

// ErrEmptyEnvelope is returned for an outbound message without recipients.
var ErrEmptyEnvelope = errors.New("outbound message has no recipient")

func outboundKey(id uint64) []byte { return binary.BigEndian.AppendUint64(key(tOutbound, 8), id) }

func encodeQueued(q *QueuedMessage) []byte {
	e := encoder{}
	e.u8(recordVersion)
	e.uvarint(uint64(q.Account))
	e.str(string(q.Origin))
	e.str(q.From)
	e.strs(q.To)
	e.varint(q.Size)
	e.varint(q.Queued.UnixNano())
	e.bytes(q.Blob[:])
	return e.b
}

func decodeQueued(id uint64, v []byte) (*QueuedMessage, error) {
	d := decoder{b: v}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	q := &QueuedMessage{ID: id}
	q.Account = AccountID(d.uvarint())
	q.Origin = Origin(d.str())
	q.From = d.str()
	q.To = d.strs()
	q.Size = d.varint()
	q.Queued = time.Unix(0, d.varint())
	if b := d.raw(); len(b) == len(q.Blob) {
		copy(q.Blob[:], b)
	} else {
		d.fail()
	}
	if d.err != nil {
		return nil, errCorrupt
	}
	return q, nil
}

// Enqueue adds messages to the outbound queue in one durable commit and
// returns their queue IDs, in order.
func (s *Store) Enqueue(ctx context.Context, msgs ...Outgoing) ([]uint64, error) {
	type prepared struct {
		q    QueuedMessage
		raw  []byte
		info []byte
		hlen int
	}
	preps := make([]prepared, len(msgs))
	var need int64 = 4 << 10
	now := s.now()
	for i, m := range msgs {
		if len(m.To) == 0 {
			return nil, fmt.Errorf("queue %s message: %w", m.Origin, ErrEmptyEnvelope)
		}
		parsed := mimeinfo.Parse(m.Raw)
		preps[i] = prepared{
			q: QueuedMessage{Account: m.Account, Origin: m.Origin, From: m.From, To: m.To,
				Size: int64(len(m.Raw)), Queued: now, Blob: BlobHash(sha256.Sum256(m.Raw))},
			raw: m.Raw, info: parsed.AppendBinary(nil), hlen: parsed.HeaderLen,
		}
		need += 2 * int64(len(m.Raw))
	}
	ids := make([]uint64, len(msgs))
	err := s.writeSized(ctx, "outbound queue", need, func(tx *wtx) error {
		for i := range preps {
			p := &preps[i]
			id, err := tx.nextSeq("outbound", 1)
			if err != nil {
				return err
			}
			ids[i] = id
			p.q.ID = id
			if err := tx.storeBlob(p.q.Blob, p.raw, p.info, p.hlen, 1); err != nil {
				return err
			}
			if err := tx.Set(outboundKey(id), encodeQueued(&p.q)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queue outbound mail: %w", err)
	}
	return ids, nil
}

// Queued lists up to limit queued messages (0: all), oldest first.
func (s *Store) Queued(ctx context.Context, limit int) ([]QueuedMessage, error) {
	var out []QueuedMessage
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tOutbound}, nil, false, func(k, v []byte) (bool, error) {
			if len(k) != 9 {
				return false, errCorrupt
			}
			q, err := decodeQueued(binary.BigEndian.Uint64(k[1:]), v)
			if err != nil {
				return false, err
			}
			out = append(out, *q)
			return limit <= 0 || len(out) < limit, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list the outbound queue: %w", err)
	}
	return out, nil
}

// QueuedRaw returns the bytes of queued message id.
func (s *Store) QueuedRaw(ctx context.Context, id uint64) ([]byte, error) {
	var raw []byte
	err := s.view(func(r kv.Reader) error {
		v, err := getRecord(r, outboundKey(id), ErrNotFound)
		if err != nil {
			return err
		}
		q, err := decodeQueued(id, v)
		if err != nil {
			return err
		}
		raw, err = readBlob(r, q.Blob, 0, q.Size)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queued message %d: %w", id, err)
	}
	return raw, nil
}

// Dequeue removes message id from the queue once it has been handed on
// (or bounced); removing a message that is gone is not an error.
func (s *Store) Dequeue(ctx context.Context, id uint64) error {
	err := s.writeFreeing(ctx, "outbound dequeue", func(tx *wtx) error {
		v, err := tx.Get(outboundKey(id))
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		q, err := decodeQueued(id, v)
		if err != nil {
			return err
		}
		if err := tx.releaseBlob(q.Blob); err != nil {
			return err
		}
		return tx.Delete(outboundKey(id))
	})
	if err != nil {
		return fmt.Errorf("dequeue outbound message %d: %w", id, err)
	}
	return nil
}
