package storage

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"zest/storage/kv"
)

// Client-IDs (draft-ordogh-lemonade-clientid-00) name one client device of
// an account for as long as the device keeps using it. The store keeps, per
// ID, its account, when it was issued and when it was last seen, and any
// per-client data other parts of zest attach to it (settings); it also
// knows, in memory, which IDs live sessions use right now (online).
//
// An ID is issued once for all time: a removed ID (collected, forgotten, or
// deleted with its account) leaves a small record behind so it is never
// handed out again (spec CI-14), although its 160 random bits alone make a
// repeat practically impossible.

// ErrNoSuchClient means the Client-ID was never issued, was issued to
// another account, or was removed; callers must not tell these apart.
var ErrNoSuchClient = errors.New("storage: no such client ID")

const (
	// MinClientAge is how long an unseen Client-ID and its data are kept
	// at least: the draft forbids removing them sooner (CI-24).
	MinClientAge = 183 * 24 * time.Hour
	// DefaultClientMaxAge is when an unseen Client-ID is collected unless
	// configured otherwise (CI-25).
	DefaultClientMaxAge = 400 * 24 * time.Hour
	// MaxClientIDLen bounds the IDs the store issues and accepts.
	MaxClientIDLen = 64
)

// Client is one issued Client-ID.
type Client struct {
	ID       string
	Account  AccountID
	Created  time.Time
	LastSeen time.Time
}

// clientIDEncoding spells IDs with upper-case letters and digits only, so
// they need no escaping in an IMAP quoted string (CI-08).
var clientIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newClientID returns 32 characters carrying 160 random bits.
func newClientID() string {
	var b [20]byte
	rand.Read(b[:])
	return clientIDEncoding.EncodeToString(b[:])
}

// validClientID reports whether id could be one the store issued, so that
// anything else is refused without a lookup.
func validClientID(id string) bool {
	if id == "" || len(id) > MaxClientIDLen {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func clientKey(id string) []byte    { return append(key(tClient, len(id)), id...) }
func retiredIDKey(id string) []byte { return append(key(tRetiredID, len(id)), id...) }

func clientAccountPrefix(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tClientAcc, 8), uint64(a))
}

func clientAccountKey(a AccountID, id string) []byte { return append(clientAccountPrefix(a), id...) }

// clientSettingPrefix keys a client's settings; the ID's length comes first
// so one ID's prefix never covers another's settings.
func clientSettingPrefix(a AccountID, id string) []byte {
	k := binary.BigEndian.AppendUint64(key(tClientSet, 9+len(id)), uint64(a))
	k = append(k, byte(len(id)))
	return append(k, id...)
}

func encodeClient(c *Client) []byte {
	e := encoder{b: make([]byte, 0, 32)}
	e.u8(recordVersion)
	e.uvarint(uint64(c.Account))
	e.varint(c.Created.UnixNano())
	e.varint(c.LastSeen.UnixNano())
	return e.b
}

func decodeClient(id string, b []byte) (*Client, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	c := &Client{ID: id}
	c.Account = AccountID(d.uvarint())
	c.Created = time.Unix(0, d.varint())
	c.LastSeen = time.Unix(0, d.varint())
	return c, d.err
}

// readClient returns the client id of account a, or ErrNoSuchClient.
func readClient(r kv.Reader, a AccountID, id string) (*Client, error) {
	if !validClientID(id) {
		return nil, ErrNoSuchClient
	}
	v, err := getRecord(r, clientKey(id), ErrNoSuchClient)
	if err != nil {
		return nil, err
	}
	c, err := decodeClient(id, v)
	if err != nil {
		return nil, fmt.Errorf("client %s: %w", id, err)
	}
	if c.Account != a {
		return nil, ErrNoSuchClient
	}
	return c, nil
}

// clientIDTaken reports whether id was ever issued.
func clientIDTaken(r kv.Reader, id string) (bool, error) {
	for _, k := range [][]byte{clientKey(id), retiredIDKey(id)} {
		_, err := r.Get(k)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, kv.ErrNotFound) {
			return false, err
		}
	}
	return false, nil
}

// ClientLease is one session's use of a Client-ID: while any lease on an
// ID is held, the client counts as online. Release ends it.
type ClientLease struct {
	Client
	s    *Store
	once sync.Once
}

// NewClient issues a new Client-ID to account a, durably, and takes it into
// use (CI-10, CI-13, CI-14).
func (s *Store) NewClient(ctx context.Context, a AccountID) (*ClientLease, error) {
	var c *Client
	err := s.write(ctx, "new client ID", func(tx *wtx) error {
		if _, err := readAccount(tx, a); err != nil {
			return fmt.Errorf("account %d: %w", a, err)
		}
		// A repeat is practically impossible, but the rule is absolute.
		for range 4 {
			id := newClientID()
			taken, err := clientIDTaken(tx, id)
			if err != nil {
				return err
			}
			if taken {
				continue
			}
			now := s.now()
			c = &Client{ID: id, Account: a, Created: now, LastSeen: now}
			if err := tx.Set(clientKey(id), encodeClient(c)); err != nil {
				return err
			}
			return tx.Set(clientAccountKey(a, id), nil)
		}
		return errors.New("no unused client ID found")
	})
	if err != nil {
		return nil, fmt.Errorf("new client ID for account %d: %w", a, err)
	}
	return s.lease(c), nil
}

// UseClient takes the Client-ID id of account a into use: it updates the
// ID's last-seen time and marks it online. An ID that is not a's answers
// ErrNoSuchClient, whatever the reason (CI-16, CI-18, CI-23).
func (s *Store) UseClient(ctx context.Context, a AccountID, id string) (*ClientLease, error) {
	if !validClientID(id) {
		return nil, ErrNoSuchClient
	}
	var c *Client
	err := s.write(ctx, "use client ID", func(tx *wtx) error {
		var err error
		if c, err = readClient(tx, a, id); err != nil {
			return err
		}
		c.LastSeen = s.now()
		return tx.Set(clientKey(id), encodeClient(c))
	})
	if err != nil {
		return nil, err
	}
	return s.lease(c), nil
}

func (s *Store) lease(c *Client) *ClientLease {
	s.online.add(s.hub, c.Account, c.ID)
	return &ClientLease{Client: *c, s: s}
}

// Release ends the lease: its last-seen time becomes now, then the client
// goes offline when this was its last session (CI-23, CI-28), so an
// offline client's last-seen time is never older than its last session.
// Only the first call has an effect. An ID removed meanwhile stays removed.
func (l *ClientLease) Release(ctx context.Context) error {
	err := error(nil)
	l.once.Do(func() {
		err = l.s.touchClient(ctx, l.Account, l.ID)
		l.s.online.remove(l.s.hub, l.Account, l.ID)
	})
	return err
}

func (s *Store) touchClient(ctx context.Context, a AccountID, id string) error {
	err := s.write(ctx, "client last seen", func(tx *wtx) error {
		c, err := readClient(tx, a, id)
		if errors.Is(err, ErrNoSuchClient) {
			return nil
		}
		if err != nil {
			return err
		}
		c.LastSeen = s.now()
		return tx.Set(clientKey(id), encodeClient(c))
	})
	if err != nil {
		return fmt.Errorf("client %s last seen: %w", id, err)
	}
	return nil
}

// Clients lists the Client-IDs of account a, oldest first.
func (s *Store) Clients(ctx context.Context, a AccountID) ([]Client, error) {
	var out []Client
	err := s.view(func(r kv.Reader) error {
		prefix := clientAccountPrefix(a)
		return r.Scan(prefix, nil, false, func(k, _ []byte) (bool, error) {
			c, err := readClient(r, a, string(k[len(prefix):]))
			if err != nil {
				return false, err
			}
			out = append(out, *c)
			return true, nil
		})
	})
	slices.SortStableFunc(out, func(x, y Client) int { return x.Created.Compare(y.Created) })
	return out, err
}

// Client returns the Client-ID id of account a, or ErrNoSuchClient.
func (s *Store) Client(ctx context.Context, a AccountID, id string) (*Client, error) {
	var c *Client
	err := s.view(func(r kv.Reader) error {
		var err error
		c, err = readClient(r, a, id)
		return err
	})
	return c, err
}

// SetClientSetting stores value under name for the client id of account a,
// or removes the setting when value is nil. Settings are the per-client
// data of CI-30; they live and die with the ID.
func (s *Store) SetClientSetting(ctx context.Context, a AccountID, id, name string, value []byte) error {
	if name == "" || len(name) > 255 {
		return fmt.Errorf("%w: client setting name %q", ErrInvalidName, name)
	}
	k := append(clientSettingPrefix(a, id), name...)
	err := s.writeSized(ctx, "client setting", int64(len(value))+4<<10, func(tx *wtx) error {
		if _, err := readClient(tx, a, id); err != nil {
			return err
		}
		if value == nil {
			return tx.Delete(k)
		}
		return tx.Set(k, value)
	})
	if err != nil {
		return fmt.Errorf("client %s setting %s: %w", id, name, err)
	}
	return nil
}

// ClientSettings returns every setting of the client id of account a.
func (s *Store) ClientSettings(ctx context.Context, a AccountID, id string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.view(func(r kv.Reader) error {
		if _, err := readClient(r, a, id); err != nil {
			return err
		}
		prefix := clientSettingPrefix(a, id)
		return r.Scan(prefix, nil, false, func(k, v []byte) (bool, error) {
			out[string(k[len(prefix):])] = append([]byte(nil), v...)
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ForgetClient removes the Client-ID id of account a with all its data, as
// a user who retires a device asks (CI-33).
func (s *Store) ForgetClient(ctx context.Context, a AccountID, id string) error {
	return s.writeFreeing(ctx, "forget client ID", func(tx *wtx) error {
		c, err := readClient(tx, a, id)
		if err != nil {
			return err
		}
		return tx.removeClient(c)
	})
}

// removeClient deletes a client's records and settings and retires its ID.
func (tx *wtx) removeClient(c *Client) error {
	prefix := clientSettingPrefix(c.Account, c.ID)
	var keys [][]byte
	err := tx.Scan(prefix, nil, false, func(k, _ []byte) (bool, error) {
		keys = append(keys, append([]byte(nil), k...))
		return true, nil
	})
	if err != nil {
		return err
	}
	keys = append(keys, clientKey(c.ID), clientAccountKey(c.Account, c.ID))
	for _, k := range keys {
		if err := tx.Delete(k); err != nil {
			return err
		}
	}
	var e encoder
	e.u8(recordVersion)
	e.varint(tx.s.now().UnixNano())
	return tx.Set(retiredIDKey(c.ID), e.b)
}

// CollectClients removes the Client-IDs, with their data, that nobody has
// used since now-maxAge and that are not online. maxAge 0 means
// DefaultClientMaxAge, and anything shorter than MinClientAge counts as
// MinClientAge (CI-24, CI-25). It returns how many it removed.
func (s *Store) CollectClients(ctx context.Context, now time.Time, maxAge time.Duration) (int, error) {
	if maxAge == 0 {
		maxAge = DefaultClientMaxAge
	}
	maxAge = max(maxAge, MinClientAge)
	cutoff := now.Add(-maxAge)
	var old []*Client
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tClient}, nil, false, func(k, v []byte) (bool, error) {
			c, err := decodeClient(string(k[1:]), v)
			if err != nil {
				return false, fmt.Errorf("client %s: %w", k[1:], err)
			}
			if c.LastSeen.Before(cutoff) {
				old = append(old, c)
			}
			return true, nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("collect client IDs: %w", err)
	}
	removed := 0
	for batch := range slices.Chunk(old, 100) {
		n := 0
		err := s.writeFreeing(ctx, "collect client IDs", func(tx *wtx) error {
			n = 0
			for _, c := range batch {
				if s.online.has(c.Account, c.ID) {
					continue
				}
				// Read again: a session may have used it since the scan.
				cur, err := readClient(tx, c.Account, c.ID)
				if errors.Is(err, ErrNoSuchClient) {
					continue
				}
				if err != nil {
					return err
				}
				if !cur.LastSeen.Before(cutoff) {
					continue
				}
				if err := tx.removeClient(cur); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return removed, fmt.Errorf("collect client IDs: %w", err)
		}
		removed += n
	}
	return removed, nil
}

// removeAccountClients removes every Client-ID of account a with its data
// (CI-26), over as many commits as it takes.
func (s *Store) removeAccountClients(ctx context.Context, a AccountID) error {
	for {
		n := 0
		err := s.writeFreeing(ctx, "delete account client IDs", func(tx *wtx) error {
			prefix := clientAccountPrefix(a)
			var ids []string
			err := tx.Scan(prefix, nil, false, func(k, _ []byte) (bool, error) {
				ids = append(ids, string(k[len(prefix):]))
				return len(ids) < 100, nil
			})
			if err != nil {
				return err
			}
			for _, id := range ids {
				c, err := readClient(tx, a, id)
				if errors.Is(err, ErrNoSuchClient) {
					c = &Client{ID: id, Account: a} // a dangling index entry
				} else if err != nil {
					return err
				}
				if err := tx.removeClient(c); err != nil {
					return err
				}
			}
			n = len(ids)
			return nil
		})
		if err != nil {
			return fmt.Errorf("delete client IDs of account %d: %w", a, err)
		}
		if n < 100 {
			return nil
		}
	}
}

// OnlineClients lists, sorted, the Client-IDs of account a that live
// sessions use now (CI-27).
func (s *Store) OnlineClients(a AccountID) []string { return s.online.list(a) }

// ClientOnline reports whether a live session uses Client-ID id of account a.
func (s *Store) ClientOnline(a AccountID, id string) bool { return s.online.has(a, id) }

// onlineClients counts the live sessions per Client-ID. It lives in memory
// only: after a restart no session exists, so every client is offline.
// The zero value is ready to use.
type onlineClients struct {
	mu       sync.Mutex
	sessions map[AccountID]map[string]int
}

// add counts a session and publishes ClientOnline for the first one. The
// event is published under the lock so online and offline events of one
// ID can never arrive out of order.
func (o *onlineClients) add(h *hub, a AccountID, id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sessions == nil {
		o.sessions = map[AccountID]map[string]int{}
	}
	m := o.sessions[a]
	if m == nil {
		m = map[string]int{}
		o.sessions[a] = m
	}
	m[id]++
	if m[id] == 1 {
		h.publish(Event{Kind: ClientOnline, Account: a, ClientID: id})
	}
}

func (o *onlineClients) remove(h *hub, a AccountID, id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.sessions[a]
	if m[id] == 0 {
		return
	}
	m[id]--
	if m[id] > 0 {
		return
	}
	delete(m, id)
	if len(m) == 0 {
		delete(o.sessions, a)
	}
	h.publish(Event{Kind: ClientOffline, Account: a, ClientID: id})
}

func (o *onlineClients) has(a AccountID, id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sessions[a][id] > 0
}

func (o *onlineClients) list(a AccountID) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for id := range o.sessions[a] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
