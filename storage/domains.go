package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"zest/storage/kv"
)

// ErrNotLocal means an address's domain is not one this server receives
// mail for; accepting it would make the server a relay.
var ErrNotLocal = errors.New("storage: domain is not local")

func (tx *wtx) addDomain(domain string) error {
	k := domainKey(domain)
	if _, err := tx.Get(k); err == nil {
		return nil
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	e := encoder{}
	e.u8(recordVersion)
	e.varint(tx.s.now().UnixNano())
	return tx.Set(k, e.b)
}

// AddDomain makes domain local: mail to it is accepted for its accounts
// and aliases and refused for unknown recipients.
func (s *Store) AddDomain(ctx context.Context, domain string) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if err := CheckDomain(domain); err != nil {
		return err
	}
	return s.write(ctx, "add domain", func(tx *wtx) error { return tx.addDomain(domain) })
}

// DeleteDomain stops receiving mail for a domain. It refuses while accounts
// or aliases in the domain remain, so no mailbox is orphaned silently.
func (s *Store) DeleteDomain(ctx context.Context, domain string) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	return s.writeFreeing(ctx, "delete domain", func(tx *wtx) error {
		if _, err := getRecord(tx, domainKey(domain), ErrNotFound); err != nil {
			return fmt.Errorf("domain %s: %w", domain, err)
		}
		for _, table := range []byte{tLogin, tAlias} {
			used := false
			err := tx.Scan([]byte{table}, nil, false, func(k, _ []byte) (bool, error) {
				if strings.HasSuffix(string(k[1:]), "@"+domain) {
					used = true
					return false, nil
				}
				return true, nil
			})
			if err != nil {
				return err
			}
			if used {
				return fmt.Errorf("domain %s still has accounts or aliases: %w", domain, ErrExists)
			}
		}
		return tx.Delete(domainKey(domain))
	})
}

// Domains lists the local domains.
func (s *Store) Domains(ctx context.Context) ([]string, error) {
	var out []string
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tDomain}, nil, false, func(k, _ []byte) (bool, error) {
			out = append(out, string(k[1:]))
			return true, nil
		})
	})
	return out, err
}

// IsLocalDomain reports whether mail for domain is received here.
func (s *Store) IsLocalDomain(ctx context.Context, domain string) (bool, error) {
	var local bool
	err := s.view(func(r kv.Reader) error {
		_, err := r.Get(domainKey(domain))
		local = err == nil
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		return err
	})
	return local, err
}

// Alias is a local address that forwards to other local addresses. An
// alias "@domain" is the domain's catch-all.
type Alias struct {
	From string
	To   []string
}

// AddAlias makes mail to from go to the addresses in to (merged with any
// targets the alias already has). from's domain becomes local. Targets must
// be local: forwarding off the server waits for the outbound queue.
func (s *Store) AddAlias(ctx context.Context, from string, to ...string) error {
	from = strings.ToLower(strings.TrimSpace(from))
	var fromDomain string
	if strings.HasPrefix(from, "@") {
		fromDomain = from[1:]
		if err := CheckDomain(fromDomain); err != nil {
			return err
		}
	} else {
		full, _, d, err := NormalizeAddress(from)
		if err != nil {
			return err
		}
		from, fromDomain = full, d
	}
	if len(to) == 0 {
		return fmt.Errorf("%w: alias %s has no target", ErrInvalidName, from)
	}
	targets := make([]string, 0, len(to))
	for _, t := range to {
		full, _, _, err := NormalizeAddress(t)
		if err != nil {
			return err
		}
		targets = append(targets, full)
	}
	return s.write(ctx, "add alias", func(tx *wtx) error {
		for _, t := range targets {
			_, _, d, _ := NormalizeAddress(t)
			if _, err := getRecord(tx, domainKey(d), ErrNotLocal); err != nil && d != fromDomain {
				return fmt.Errorf("alias target %s: %w (forwarding to other servers is not supported yet)", t, err)
			}
		}
		existing, err := readAlias(tx, from)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		merged := existing
		for _, t := range targets {
			if !containsFold(merged, t) {
				merged = append(merged, t)
			}
		}
		if err := tx.addDomain(fromDomain); err != nil {
			return err
		}
		e := encoder{}
		e.u8(recordVersion)
		e.strs(merged)
		return tx.Set(aliasKey(from), e.b)
	})
}

// DeleteAlias removes an alias, or only the listed targets of it.
func (s *Store) DeleteAlias(ctx context.Context, from string, targets ...string) error {
	from = strings.ToLower(strings.TrimSpace(from))
	return s.writeFreeing(ctx, "delete alias", func(tx *wtx) error {
		existing, err := readAlias(tx, from)
		if err != nil {
			return fmt.Errorf("alias %s: %w", from, err)
		}
		var keep []string
		for _, t := range existing {
			if len(targets) > 0 && !containsFold(targets, t) {
				keep = append(keep, t)
			}
		}
		if len(keep) == 0 {
			return tx.Delete(aliasKey(from))
		}
		e := encoder{}
		e.u8(recordVersion)
		e.strs(keep)
		return tx.Set(aliasKey(from), e.b)
	})
}

// Aliases lists every alias in address order.
func (s *Store) Aliases(ctx context.Context) ([]Alias, error) {
	var out []Alias
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tAlias}, nil, false, func(k, v []byte) (bool, error) {
			to, err := decodeAlias(v)
			if err != nil {
				return false, err
			}
			out = append(out, Alias{From: string(k[1:]), To: to})
			return true, nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out, err
}

func readAlias(r kv.Reader, from string) ([]string, error) {
	v, err := getRecord(r, aliasKey(from), ErrNotFound)
	if err != nil {
		return nil, err
	}
	return decodeAlias(v)
}

func decodeAlias(v []byte) ([]string, error) {
	d := decoder{b: v}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	to := d.strs()
	return to, d.err
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// Recipient is an account that mail to an address reaches.
type Recipient struct {
	Account *Account
	// Detail is the sub-address: "tag" for user+tag@domain (RFC 5233).
	Detail string
}

// maxAliasDepth bounds alias chains so a loop of aliases cannot spin.
const maxAliasDepth = 10

// ResolveRecipient finds the accounts that mail to address reaches, through
// aliases, "+tag" sub-addressing and the domain's catch-all, in that order
// after an exact account match. It returns ErrNotLocal when the domain is
// not local, ErrUnknownRecipient when nobody receives the address, and
// ErrAccountDisabled when its only account is disabled.
func (s *Store) ResolveRecipient(ctx context.Context, address string) ([]Recipient, error) {
	full, _, domain, err := NormalizeAddress(address)
	if err != nil {
		// An address we cannot even parse is one nobody here receives.
		return nil, fmt.Errorf("%s: %w", address, ErrUnknownRecipient)
	}
	var out []Recipient
	err = s.view(func(r kv.Reader) error {
		if _, err := getRecord(r, domainKey(domain), ErrNotLocal); err != nil {
			return err
		}
		seen := map[AccountID]bool{}
		disabled := false
		var expand func(addr, detail string, depth int) (bool, error)
		expand = func(addr, detail string, depth int) (bool, error) {
			if depth > maxAliasDepth {
				return false, nil
			}
			if a, err := accountByLogin(r, addr); err == nil {
				if a.Disabled {
					disabled = true
					return true, nil
				}
				if !seen[a.ID] {
					seen[a.ID] = true
					out = append(out, Recipient{Account: a, Detail: detail})
				}
				return true, nil
			} else if !errors.Is(err, ErrNotFound) {
				return false, err
			}
			targets, err := readAlias(r, addr)
			if errors.Is(err, ErrNotFound) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			found := false
			for _, t := range targets {
				ok, err := expand(t, detail, depth+1)
				if err != nil {
					return false, err
				}
				found = found || ok
			}
			return found, nil
		}
		found, err := expand(full, "", 0)
		if err == nil && !found {
			local, dom, _ := strings.Cut(full, "@")
			if base, detail, ok := strings.Cut(local, "+"); ok && base != "" {
				found, err = expand(base+"@"+dom, detail, 0)
			}
		}
		if err == nil && !found {
			found, err = expand("@"+domain, "", 0)
		}
		if err == nil && !found && strings.HasPrefix(full, "postmaster@") {
			// RFC 5321 §4.5.1: every domain must take mail for postmaster.
			// Without an alias for it, it reaches the domain's first
			// account, or the server's first when the domain has none.
			var a *Account
			if a, err = firstAccount(r, domain); err == nil && a != nil {
				found, err = expand(a.Address, "", 0)
			}
		}
		if err != nil {
			return err
		}
		if len(out) == 0 {
			if disabled {
				return ErrAccountDisabled
			}
			return ErrUnknownRecipient
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", address, err)
	}
	return out, nil
}

// firstAccount returns the oldest enabled account of domain, or of the whole
// server when domain has none; nil when there is no account at all.
func firstAccount(r kv.Reader, domain string) (*Account, error) {
	var inDomain, any *Account
	err := r.Scan([]byte{tLogin}, nil, false, func(k, v []byte) (bool, error) {
		if len(v) != 8 {
			return false, errCorrupt
		}
		a, err := readAccount(r, AccountID(binary.BigEndian.Uint64(v)))
		if err != nil || a.Disabled {
			return err == nil, err
		}
		if any == nil || a.ID < any.ID {
			any = a
		}
		if strings.HasSuffix(a.Address, "@"+domain) && (inDomain == nil || a.ID < inDomain.ID) {
			inDomain = a
		}
		return true, nil
	})
	if inDomain != nil {
		return inDomain, err
	}
	return any, err
}
