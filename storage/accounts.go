package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"zest/storage/kv"
)

// DefaultMailboxes are created with every account, with their RFC 6154
// special-use attributes.
var DefaultMailboxes = []struct{ Name, SpecialUse string }{
	{"INBOX", ""},
	{"Sent", `\Sent`},
	{"Drafts", `\Drafts`},
	{"Trash", `\Trash`},
	{"Junk", `\Junk`},
	{"Archive", `\Archive`},
}

// CreateAccount adds an account whose login is address, makes its domain
// local, and creates the default mailboxes.
func (s *Store) CreateAccount(ctx context.Context, address, password string) (*Account, error) {
	full, local, domain, err := NormalizeAddress(address)
	if err != nil {
		return nil, err
	}
	if strings.Contains(local, "+") {
		return nil, fmt.Errorf("%w: %q: '+' is reserved for sub-addressing (user+tag@domain)", ErrInvalidName, full)
	}
	if password == "" {
		return nil, fmt.Errorf("%w: empty password", ErrInvalidName)
	}
	hash, err := hashPassword(password, s.pwd)
	if err != nil {
		return nil, err
	}
	var acct *Account
	err = s.write(ctx, "create account", func(tx *wtx) error {
		if _, err := tx.Get(loginKey(full)); err == nil {
			return fmt.Errorf("account %s: %w", full, ErrExists)
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		id, err := tx.nextSeq("account", 1)
		if err != nil {
			return err
		}
		acct = &Account{ID: AccountID(id), Address: full, Created: s.now(), passwordHash: hash, credVersion: 1}
		if err := tx.Set(accountKey(acct.ID), encodeAccount(acct)); err != nil {
			return err
		}
		if err := tx.Set(loginKey(full), binary.BigEndian.AppendUint64(nil, id)); err != nil {
			return err
		}
		if err := tx.addDomain(domain); err != nil {
			return err
		}
		for _, mb := range DefaultMailboxes {
			var use []string
			if mb.SpecialUse != "" {
				use = []string{mb.SpecialUse}
			}
			if _, err := tx.createMailbox(acct.ID, mb.Name, use); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}

// Account returns the account with the given ID.
func (s *Store) Account(ctx context.Context, id AccountID) (*Account, error) {
	var a *Account
	err := s.view(func(r kv.Reader) error {
		var err error
		a, err = readAccount(r, id)
		return err
	})
	return a, err
}

// AccountByAddress returns the account whose login is address.
func (s *Store) AccountByAddress(ctx context.Context, address string) (*Account, error) {
	var a *Account
	err := s.view(func(r kv.Reader) error {
		var err error
		a, err = accountByLogin(r, address)
		return err
	})
	return a, err
}

func accountByLogin(r kv.Reader, address string) (*Account, error) {
	v, err := getRecord(r, loginKey(address), ErrNotFound)
	if err != nil {
		return nil, err
	}
	if len(v) != 8 {
		return nil, errCorrupt
	}
	return readAccount(r, AccountID(binary.BigEndian.Uint64(v)))
}

func readAccount(r kv.Reader, id AccountID) (*Account, error) {
	v, err := getRecord(r, accountKey(id), ErrNotFound)
	if err != nil {
		return nil, err
	}
	return decodeAccount(id, v)
}

// Accounts lists every account in address order.
func (s *Store) Accounts(ctx context.Context) ([]*Account, error) {
	var out []*Account
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tLogin}, nil, false, func(k, v []byte) (bool, error) {
			if len(v) != 8 {
				return false, errCorrupt
			}
			a, err := readAccount(r, AccountID(binary.BigEndian.Uint64(v)))
			if err != nil {
				return false, err
			}
			out = append(out, a)
			return true, nil
		})
	})
	return out, err
}

// SetPassword replaces an account's password and forgets every cached login.
func (s *Store) SetPassword(ctx context.Context, address, password string) error {
	if password == "" {
		return fmt.Errorf("%w: empty password", ErrInvalidName)
	}
	hash, err := hashPassword(password, s.pwd)
	if err != nil {
		return err
	}
	var id AccountID
	err = s.write(ctx, "set password", func(tx *wtx) error {
		a, err := accountByLogin(tx, address)
		if err != nil {
			return fmt.Errorf("account %s: %w", address, err)
		}
		a.passwordHash = hash
		a.credVersion++
		id = a.ID
		return tx.Set(accountKey(a.ID), encodeAccount(a))
	})
	if err == nil {
		s.auth.forget(id)
	}
	return err
}

// SetDisabled disables or re-enables logins and delivery for an account.
func (s *Store) SetDisabled(ctx context.Context, address string, disabled bool) error {
	var id AccountID
	err := s.write(ctx, "disable account", func(tx *wtx) error {
		a, err := accountByLogin(tx, address)
		if err != nil {
			return fmt.Errorf("account %s: %w", address, err)
		}
		a.Disabled = disabled
		a.credVersion++
		id = a.ID
		return tx.Set(accountKey(a.ID), encodeAccount(a))
	})
	if err == nil {
		s.auth.forget(id)
	}
	return err
}

// Authenticate checks a protocol login: the account password or one of
// the account's app passwords. It answers ErrBadCredentials for an unknown
// user and for a wrong password alike, so the answer does not reveal which
// accounts exist.
func (s *Store) Authenticate(ctx context.Context, username, password string) (*Account, error) {
	return s.authenticate(ctx, username, password, true)
}

// authenticate is Authenticate, accepting app passwords only if apps is set.
func (s *Store) authenticate(ctx context.Context, username, password string, apps bool) (*Account, error) {
	if e, ok := s.auth.lookup(username, password); ok && (apps || e.app == 0) {
		a, err := s.Account(ctx, e.account)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if err == nil && a.credVersion == e.credVersion && !a.Disabled {
			if e.app == 0 {
				return a, nil
			}
			// A verification that raced with the app password's deletion
			// may have been cached after forgetApp ran: check it exists.
			p, err := s.appPassword(a.ID, e.app)
			if err == nil {
				s.touchAppPassword(ctx, a.ID, p)
				return a, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
	}
	a, err := s.AccountByAddress(ctx, strings.TrimSpace(username))
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real check so timing does not tell
		// unknown users from wrong passwords.
		s.checkPassword(s.dummyHash(), password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	var app *appPasswordRecord
	if apps {
		if app, err = s.matchAppPassword(a.ID, password); err != nil {
			return nil, err
		}
	}
	ok := app != nil
	if !ok {
		if ok, err = s.checkPassword(a.passwordHash, password); err != nil {
			return nil, fmt.Errorf("verify password of %s: %w", a.Address, err)
		}
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	if a.Disabled {
		return nil, ErrAccountDisabled
	}
	var appID AppPasswordID
	if app != nil {
		appID = app.ID
		s.touchAppPassword(ctx, a.ID, app)
	}
	s.auth.remember(username, password, a, appID)
	return a, nil
}

// dummyHash is a hash, at the configured cost, of a password nobody has.
func (s *Store) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = hashPassword("not a password anyone has", s.pwd) })
	return s.dummy
}

// DeleteAccount removes an account with all its mailboxes and messages,
// its Client-IDs, its saved states and its app passwords.
// Large accounts are removed over several commits; the login stops working
// in the first one.
func (s *Store) DeleteAccount(ctx context.Context, address string) error {
	a, err := s.AccountByAddress(ctx, address)
	if err != nil {
		return fmt.Errorf("account %s: %w", address, err)
	}
	// Stop logins and delivery first.
	err = s.writeFreeing(ctx, "delete account", func(tx *wtx) error {
		if _, err := tx.Get(loginKey(a.Address)); err != nil {
			return fmt.Errorf("account %s: %w", address, ErrNotFound)
		}
		return tx.Delete(loginKey(a.Address))
	})
	if err != nil {
		return err
	}
	s.auth.forget(a.ID)
	boxes, err := s.Mailboxes(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, mb := range boxes {
		if err := s.removeMailbox(ctx, a.ID, mb.ID); err != nil {
			return err
		}
	}
	if err := s.removeAccountClients(ctx, a.ID); err != nil {
		return err
	}
	if err := s.removeAccountStates(ctx, a.ID); err != nil {
		return err
	}
	if err := s.removeAccountScripts(ctx, a.ID); err != nil {
		return err
	}
	if err := s.removeAccountDuplicates(ctx, a.ID); err != nil {
		return err
	}
	return s.writeFreeing(ctx, "delete account", func(tx *wtx) error {
		tx.emit(Event{Kind: AccountDelete, Account: a.ID})
		if _, err := tx.deletePrefix(appPasswordPrefix(a.ID)); err != nil {
			return err
		}
		return tx.Delete(accountKey(a.ID))
	})
}
