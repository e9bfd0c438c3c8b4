package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"zest/storage/kv"
)

// Saved IMAP session states (draft-imap-state-00): SAVESTATE stores what a
// session set up, under an opaque random token bound to the account; STATE
// with that token restores it in a later session. The token is only a key:
// the state itself stays in the store (spec ST-16).

// ErrNoSuchState means a token names no state the caller may restore: it
// is unknown, expired, another account's, or in another format. Callers
// must not tell these apart.
var ErrNoSuchState = errors.New("storage: no such saved state")

const (
	// StateLifetime is how long a saved state lives after it was saved or
	// last restored (ST-18).
	StateLifetime = 30 * 24 * time.Hour
	// MaxStateTokenLen bounds the tokens the store issues and accepts.
	MaxStateTokenLen = 100
	// maxSavedState bounds one encoded state.
	maxSavedState = 64 << 10
)

// SavedState is one saved session state.
type SavedState struct {
	Token   string
	Account AccountID
	// Format is the version of the caller's encoding of Effects; a caller
	// restores only the formats it understands (ST-17).
	Format   uint32
	Created  time.Time
	LastUsed time.Time
	Effects  []StateEffect
}

// StateEffect is the lasting effect of one kind of command, in the form its
// owner (the IMAP server) chose: typically the command name and the
// arguments that re-apply it.
type StateEffect struct {
	Kind string
	Args []string
}

// tokenEncoding is base64url without padding: tokens are IMAP atoms (ST-15).
var tokenEncoding = base64.RawURLEncoding

// newStateToken returns 32 characters carrying 192 random bits.
func newStateToken() string {
	var b [24]byte
	rand.Read(b[:])
	return tokenEncoding.EncodeToString(b[:])
}

func validStateToken(t string) bool {
	if t == "" || len(t) > MaxStateTokenLen {
		return false
	}
	for i := range len(t) {
		c := t[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func stateKey(token string) []byte { return append(key(tState, len(token)), token...) }

func stateAccountPrefix(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tStateAcc, 8), uint64(a))
}

func stateAccountKey(a AccountID, token string) []byte {
	return append(stateAccountPrefix(a), token...)
}

func encodeSavedState(st *SavedState) []byte {
	e := encoder{b: make([]byte, 0, 64)}
	e.u8(recordVersion)
	e.uvarint(uint64(st.Account))
	e.uvarint(uint64(st.Format))
	e.varint(st.Created.UnixNano())
	e.varint(st.LastUsed.UnixNano())
	e.uvarint(uint64(len(st.Effects)))
	for _, ef := range st.Effects {
		e.str(ef.Kind)
		e.strs(ef.Args)
	}
	return e.b
}

// errStateVersion marks a record written in a layout this build does not
// know; such a state is never restored.
var errStateVersion = errors.New("storage: unknown saved state record version")

func decodeSavedState(token string, b []byte) (*SavedState, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		if d.err != nil {
			return nil, d.err
		}
		return nil, errStateVersion
	}
	st := &SavedState{Token: token}
	st.Account = AccountID(d.uvarint())
	st.Format = d.u32()
	st.Created = time.Unix(0, d.varint())
	st.LastUsed = time.Unix(0, d.varint())
	n := d.uvarint()
	if n > uint64(len(d.b)) { // each effect takes at least two bytes
		d.fail()
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		ef := StateEffect{Kind: d.str()}
		ef.Args = d.strs()
		st.Effects = append(st.Effects, ef)
	}
	if d.err != nil {
		return nil, d.err
	}
	return st, nil
}

// SaveState stores effects for account a under a new token and returns it
// (ST-10, ST-15, ST-16); the state is on disk when it returns.
func (s *Store) SaveState(ctx context.Context, a AccountID, format uint32, effects []StateEffect) (string, error) {
	st := &SavedState{Account: a, Format: format, Effects: effects}
	if len(encodeSavedState(st)) > maxSavedState {
		return "", fmt.Errorf("save state for account %d: %w", a, ErrTooLarge)
	}
	var token string
	err := s.write(ctx, "save state", func(tx *wtx) error {
		if _, err := readAccount(tx, a); err != nil {
			return fmt.Errorf("account %d: %w", a, err)
		}
		for range 4 {
			token = newStateToken()
			if _, err := tx.Get(stateKey(token)); err == nil {
				continue
			} else if !errors.Is(err, kv.ErrNotFound) {
				return err
			}
			rec := *st
			rec.Created, rec.LastUsed = s.now(), s.now()
			if err := tx.Set(stateKey(token), encodeSavedState(&rec)); err != nil {
				return err
			}
			return tx.Set(stateAccountKey(a, token), nil)
		}
		return errors.New("no unused state token found")
	})
	if err != nil {
		return "", fmt.Errorf("save state for account %d: %w", a, err)
	}
	return token, nil
}

// LoadState returns the state saved under token for account a in format,
// or ErrNoSuchState (ST-17, ST-24, ST-27). Any other error means the state
// store could not be read.
func (s *Store) LoadState(ctx context.Context, a AccountID, token string, format uint32) (*SavedState, error) {
	if !validStateToken(token) {
		return nil, ErrNoSuchState
	}
	var st *SavedState
	err := s.view(func(r kv.Reader) error {
		v, err := getRecord(r, stateKey(token), ErrNoSuchState)
		if err != nil {
			return err
		}
		st, err = decodeSavedState(token, v)
		if errors.Is(err, errStateVersion) {
			return ErrNoSuchState
		}
		return err
	})
	switch {
	case err != nil:
		return nil, err
	case st.Account != a, st.Format != format, s.now().Sub(st.LastUsed) > StateLifetime:
		return nil, ErrNoSuchState
	}
	return st, nil
}

// TouchState restarts the lifetime of account a's state token after a
// successful restore (ST-18).
func (s *Store) TouchState(ctx context.Context, a AccountID, token string) error {
	if !validStateToken(token) {
		return ErrNoSuchState
	}
	err := s.write(ctx, "touch state", func(tx *wtx) error {
		v, err := getRecord(tx, stateKey(token), ErrNoSuchState)
		if err != nil {
			return err
		}
		st, err := decodeSavedState(token, v)
		if err != nil {
			return err
		}
		if st.Account != a {
			return ErrNoSuchState
		}
		st.LastUsed = s.now()
		return tx.Set(stateKey(token), encodeSavedState(st))
	})
	if err != nil {
		return fmt.Errorf("touch state: %w", err)
	}
	return nil
}

// CollectStates removes the states unused for StateLifetime before now. It
// returns how many it removed.
func (s *Store) CollectStates(ctx context.Context, now time.Time) (int, error) {
	type victim struct {
		token   string
		account AccountID
	}
	var old []victim
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tState}, nil, false, func(k, v []byte) (bool, error) {
			st, err := decodeSavedState(string(k[1:]), v)
			switch {
			case errors.Is(err, errStateVersion):
				// Written by a newer build: not this one's to judge.
			case err != nil:
				return false, fmt.Errorf("state %s: %w", k[1:], err)
			case now.Sub(st.LastUsed) > StateLifetime:
				old = append(old, victim{st.Token, st.Account})
			}
			return true, nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("collect states: %w", err)
	}
	removed := 0
	for len(old) > 0 {
		batch := old[:min(len(old), removeBatch/2)]
		old = old[len(batch):]
		n := 0
		err := s.writeFreeing(ctx, "collect states", func(tx *wtx) error {
			n = 0
			for _, vc := range batch {
				v, err := getRecord(tx, stateKey(vc.token), ErrNoSuchState)
				if errors.Is(err, ErrNoSuchState) {
					continue
				}
				if err != nil {
					return err
				}
				// Restored since the scan: keep it.
				if st, err := decodeSavedState(vc.token, v); err == nil && now.Sub(st.LastUsed) <= StateLifetime {
					continue
				}
				if err := tx.Delete(stateKey(vc.token)); err != nil {
					return err
				}
				if err := tx.Delete(stateAccountKey(vc.account, vc.token)); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return removed, fmt.Errorf("collect states: %w", err)
		}
		removed += n
	}
	return removed, nil
}

// removeAccountStates removes every saved state of account a (ST-18).
func (s *Store) removeAccountStates(ctx context.Context, a AccountID) error {
	for {
		n := 0
		err := s.writeFreeing(ctx, "delete account states", func(tx *wtx) error {
			prefix := stateAccountPrefix(a)
			var tokens []string
			err := tx.Scan(prefix, nil, false, func(k, _ []byte) (bool, error) {
				tokens = append(tokens, string(k[len(prefix):]))
				return len(tokens) < removeBatch/2, nil
			})
			if err != nil {
				return err
			}
			for _, t := range tokens {
				if err := tx.Delete(stateKey(t)); err != nil {
					return err
				}
				if err := tx.Delete(stateAccountKey(a, t)); err != nil {
					return err
				}
			}
			n = len(tokens)
			return nil
		})
		if err != nil {
			return fmt.Errorf("delete states of account %d: %w", a, err)
		}
		if n < removeBatch/2 {
			return nil
		}
	}
}
