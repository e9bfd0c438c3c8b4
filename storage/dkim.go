package storage

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"zest/storage/kv"
)

// DKIM signing keys (RFC 6376), one per local domain. The store keeps the
// private key so outbound delivery can sign and the web page can show the
// public half to publish; generating keys is the caller's business.

// DKIM key algorithms, as named in a DKIM-Signature's a= tag.
const (
	DKIMRSASHA256     = "rsa-sha256"
	DKIMEd25519SHA256 = "ed25519-sha256"
)

// DKIMKey is a domain's DKIM signing key.
type DKIMKey struct {
	Domain     string // lower case; filled in on reads
	Selector   string // the s= tag: the key's DNS name is Selector._domainkey.Domain
	Algorithm  string // DKIMRSASHA256 or DKIMEd25519SHA256
	PrivateKey []byte // PKCS#8 DER
	Created    time.Time
}

func dkimKey(domain string) []byte {
	return append(key(tDKIM, len(domain)), strings.ToLower(domain)...)
}

// checkDKIMKey refuses a record a signer could not use: an unknown
// algorithm, a selector that is not a DNS label, or a private key that does
// not parse or does not match the algorithm.
func checkDKIMKey(k *DKIMKey) error {
	if err := CheckDomain(k.Selector); err != nil || strings.Contains(k.Selector, "_") {
		return fmt.Errorf("%w: DKIM selector %q is not a DNS name", ErrInvalidName, k.Selector)
	}
	priv, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return fmt.Errorf("DKIM private key: %w", err)
	}
	switch k.Algorithm {
	case DKIMRSASHA256:
		if _, ok := priv.(*rsa.PrivateKey); !ok {
			return fmt.Errorf("DKIM key is a %T, not an RSA key", priv)
		}
	case DKIMEd25519SHA256:
		if _, ok := priv.(ed25519.PrivateKey); !ok {
			return fmt.Errorf("DKIM key is a %T, not an Ed25519 key", priv)
		}
	default:
		return fmt.Errorf("DKIM algorithm %q: want %s or %s", k.Algorithm, DKIMRSASHA256, DKIMEd25519SHA256)
	}
	return nil
}

func encodeDKIMKey(k *DKIMKey) []byte {
	e := encoder{b: make([]byte, 0, 64+len(k.PrivateKey))}
	e.u8(recordVersion)
	e.str(k.Selector)
	e.str(k.Algorithm)
	e.bytes(k.PrivateKey)
	e.varint(k.Created.UnixNano())
	return e.b
}

func decodeDKIMKey(domain string, b []byte) (*DKIMKey, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	k := &DKIMKey{Domain: domain}
	k.Selector = d.str()
	k.Algorithm = d.str()
	k.PrivateKey = append([]byte(nil), d.raw()...)
	k.Created = time.Unix(0, d.varint())
	return k, d.err
}

// SetDKIMKey stores key as domain's DKIM key, replacing any previous one.
// The domain need not be local yet: an administrator may prepare DNS first.
func (s *Store) SetDKIMKey(ctx context.Context, domain string, key DKIMKey) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if err := CheckDomain(domain); err != nil {
		return err
	}
	if err := checkDKIMKey(&key); err != nil {
		return fmt.Errorf("DKIM key of %s: %w", domain, err)
	}
	v := encodeDKIMKey(&key)
	err := s.write(ctx, "set DKIM key", func(tx *wtx) error { return tx.Set(dkimKey(domain), v) })
	if err != nil {
		return fmt.Errorf("DKIM key of %s: %w", domain, err)
	}
	return nil
}

// DKIMKey returns domain's DKIM key, or ErrNotFound when it has none.
func (s *Store) DKIMKey(ctx context.Context, domain string) (*DKIMKey, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	var k *DKIMKey
	err := s.view(func(r kv.Reader) error {
		v, err := getRecord(r, dkimKey(domain), ErrNotFound)
		if err != nil {
			return err
		}
		k, err = decodeDKIMKey(domain, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("DKIM key of %s: %w", domain, err)
	}
	return k, nil
}

// DKIMKeys lists every domain's DKIM key, in domain order.
func (s *Store) DKIMKeys(ctx context.Context) ([]DKIMKey, error) {
	var out []DKIMKey
	err := s.view(func(r kv.Reader) error {
		return r.Scan([]byte{tDKIM}, nil, false, func(k, v []byte) (bool, error) {
			dk, err := decodeDKIMKey(string(k[1:]), v)
			if err != nil {
				return false, err
			}
			out = append(out, *dk)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("DKIM keys: %w", err)
	}
	return out, nil
}

// DeleteDKIMKey removes domain's DKIM key; ErrNotFound when it has none.
func (s *Store) DeleteDKIMKey(ctx context.Context, domain string) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	err := s.writeFreeing(ctx, "delete DKIM key", func(tx *wtx) error {
		if _, err := tx.Get(dkimKey(domain)); errors.Is(err, kv.ErrNotFound) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		return tx.Delete(dkimKey(domain))
	})
	if err != nil {
		return fmt.Errorf("DKIM key of %s: %w", domain, err)
	}
	return nil
}
