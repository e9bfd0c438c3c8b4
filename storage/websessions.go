package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"zest/storage/kv"
)

// Administrators and web sessions: who may manage the server from the web
// page, and who is signed in to it. A session is a random token in a
// cookie; the store keeps only its SHA-256, so a copy of the store does not
// hand out live sessions. A session ends at its expiry, at sign-out, and
// the moment the account's password changes or the account is disabled.

// WebSessionLifetime is how long a web session lasts after sign-in.
const WebSessionLifetime = 7 * 24 * time.Hour

// WebSession is a signed-in browser.
type WebSession struct {
	Account AccountID
	CSRF    string // the token every state-changing request must carry
	Created time.Time
	Expires time.Time

	credVersion uint64
}

// ErrNoSession is returned for a token that names no live session.
var ErrNoSession = errors.New("no such web session")

func webSessionKey(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return append(key(tWebSession, len(h)), h[:]...)
}

func encodeWebSession(ws *WebSession) []byte {
	e := encoder{}
	e.u8(recordVersion)
	e.uvarint(uint64(ws.Account))
	e.str(ws.CSRF)
	e.varint(ws.Created.UnixNano())
	e.varint(ws.Expires.UnixNano())
	e.uvarint(ws.credVersion)
	return e.b
}

func decodeWebSession(v []byte) (*WebSession, error) {
	d := decoder{b: v}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	ws := &WebSession{}
	ws.Account = AccountID(d.uvarint())
	ws.CSRF = d.str()
	ws.Created = time.Unix(0, d.varint())
	ws.Expires = time.Unix(0, d.varint())
	ws.credVersion = d.uvarint()
	return ws, d.err
}

// CreateWebSession signs account a in and returns the session's token,
// for the cookie, and the session.
func (s *Store) CreateWebSession(ctx context.Context, a AccountID) (string, *WebSession, error) {
	token, csrf := rand.Text()+rand.Text(), rand.Text()
	now := s.now()
	var ws *WebSession
	err := s.write(ctx, "create web session", func(tx *wtx) error {
		acct, err := readAccount(tx, a)
		if err != nil {
			return err
		}
		if acct.Disabled {
			return ErrAccountDisabled
		}
		ws = &WebSession{Account: a, CSRF: csrf, Created: now, Expires: now.Add(WebSessionLifetime), credVersion: acct.credVersion}
		return tx.Set(webSessionKey(token), encodeWebSession(ws))
	})
	if err != nil {
		return "", nil, fmt.Errorf("sign in account %d: %w", a, err)
	}
	return token, ws, nil
}

// WebSession returns the live session of token with its account, or
// ErrNoSession when it expired, was ended, or the account's password
// changed or the account was disabled since.
func (s *Store) WebSession(ctx context.Context, token string) (*WebSession, *Account, error) {
	if token == "" {
		return nil, nil, ErrNoSession
	}
	var ws *WebSession
	var acct *Account
	err := s.view(func(r kv.Reader) error {
		v, err := r.Get(webSessionKey(token))
		if errors.Is(err, kv.ErrNotFound) {
			return ErrNoSession
		} else if err != nil {
			return err
		}
		if ws, err = decodeWebSession(v); err != nil {
			return err
		}
		acct, err = readAccount(r, ws.Account)
		if errors.Is(err, ErrNotFound) {
			return ErrNoSession
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if !s.now().Before(ws.Expires) || acct.Disabled || acct.credVersion != ws.credVersion {
		return nil, nil, ErrNoSession
	}
	return ws, acct, nil
}

// EndWebSession signs the session of token out; ending one that is gone
// is not an error.
func (s *Store) EndWebSession(ctx context.Context, token string) error {
	return s.writeFreeing(ctx, "end web session", func(tx *wtx) error {
		return tx.Delete(webSessionKey(token))
	})
}

// collectWebSessions drops expired sessions and those whose account's
// password changed; WebSession already refuses them.
func (s *Store) collectWebSessions(ctx context.Context) (int, error) {
	now := s.now()
	var old [][]byte
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tWebSession}, nil, false, func(k, v []byte) (bool, error) {
			ws, err := decodeWebSession(v)
			if err != nil {
				old = append(old, slices.Clone(k))
				return true, nil
			}
			acct, err := readAccount(r, ws.Account)
			if err != nil || !now.Before(ws.Expires) || acct.credVersion != ws.credVersion {
				old = append(old, slices.Clone(k))
			}
			return true, nil
		})
	})
	if err != nil {
		return 0, err
	}
	return s.deleteKeys(ctx, "web session cleanup", old)
}

// SetAdmin makes the account at address an administrator, or not.
func (s *Store) SetAdmin(ctx context.Context, address string, admin bool) error {
	return s.write(ctx, "set administrator", func(tx *wtx) error {
		a, err := accountByLogin(tx, address)
		if err != nil {
			return fmt.Errorf("account %s: %w", address, err)
		}
		a.Admin = admin
		return tx.Set(accountKey(a.ID), encodeAccount(a))
	})
}

// HasAdmin reports whether any account is an administrator; until one is,
// the web page offers first-run setup.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	accounts, err := s.Accounts(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(accounts, func(a *Account) bool { return a.Admin }), nil
}
