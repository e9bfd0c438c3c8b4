package web

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"zest/storage"
)

// dkimRSABits is the size of generated DKIM keys. RSA is the algorithm every
// verifier knows (RFC 6376 §3.3); Ed25519 (RFC 8463) is still ignored by
// several large receivers, and a signature they cannot verify counts as no
// signature for DMARC. 2048 bits is what RFC 8301 asks verifiers to accept
// and still fits a TXT record that providers take in one field.
const dkimRSABits = 2048

// GenerateDKIMKey makes a new RSA DKIM key for domain. Its selector names the
// year, "zest2026", so a key rolled over next year gets a new DNS name and
// both can be published while mail signed with the old one is in flight.
func GenerateDKIMKey(domain string, now time.Time) (storage.DKIMKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, dkimRSABits)
	if err != nil {
		return storage.DKIMKey{}, fmt.Errorf("DKIM key for %s: %w", domain, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return storage.DKIMKey{}, fmt.Errorf("DKIM key for %s: %w", domain, err)
	}
	return storage.DKIMKey{
		Domain:     strings.ToLower(domain),
		Selector:   fmt.Sprintf("zest%d", now.UTC().Year()),
		Algorithm:  storage.DKIMRSASHA256,
		PrivateKey: der,
		Created:    now,
	}, nil
}

// DKIMRecord returns the DNS TXT record publishing key's public half (RFC
// 6376 §3.6.1): its name, "<selector>._domainkey.<domain>", and its value,
// "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>" (for Ed25519, RFC 8463
// §4.2, k=ed25519 and p= the bare 32-byte key). An unusable key gives an
// error rather than a record that would break verification.
func DKIMRecord(key storage.DKIMKey) (name, value string, err error) {
	priv, err := x509.ParsePKCS8PrivateKey(key.PrivateKey)
	if err != nil {
		return "", "", fmt.Errorf("DKIM key of %s: %w", key.Domain, err)
	}
	name = key.Selector + "._domainkey." + strings.ToLower(key.Domain)
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		spki, err := x509.MarshalPKIXPublicKey(p.Public())
		if err != nil {
			return "", "", fmt.Errorf("DKIM key of %s: %w", key.Domain, err)
		}
		return name, "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(spki), nil
	case ed25519.PrivateKey:
		pub := p.Public().(ed25519.PublicKey)
		return name, "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub), nil
	default:
		return "", "", fmt.Errorf("DKIM key of %s: unsupported key type %T", key.Domain, priv)
	}
}
