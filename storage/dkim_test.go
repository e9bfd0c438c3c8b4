package storage

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"
	"time"
)

// A domain's DKIM key is stored under its lower-case name, read back
// intact after a restart, listed, replaced and deleted; keys a signer could
// not use are refused.
func TestDKIMKeys(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	ctx := context.Background()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	key := DKIMKey{Selector: "zest2026", Algorithm: DKIMEd25519SHA256, PrivateKey: der, Created: created}

	if _, err := s.DKIMKey(ctx, "example.org"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no key yet: got %v, want ErrNotFound", err)
	}
	if err := s.SetDKIMKey(ctx, "Example.ORG", key); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTestStore(t, dir)
	defer func() { s.Close() }()
	got, err := s.DKIMKey(ctx, "EXAMPLE.org")
	if err != nil {
		t.Fatal(err)
	}
	if got.Domain != "example.org" || got.Selector != "zest2026" || got.Algorithm != DKIMEd25519SHA256 ||
		string(got.PrivateKey) != string(der) || !got.Created.Equal(created) {
		t.Errorf("read back %+v", got)
	}

	bad := []DKIMKey{
		{Selector: "zest2026", Algorithm: DKIMRSASHA256, PrivateKey: der}, // Ed25519 key said to be RSA
		{Selector: "zest2026", Algorithm: "rsa-sha1", PrivateKey: der},    // unknown algorithm
		{Selector: "bad selector", Algorithm: DKIMEd25519SHA256, PrivateKey: der},
		{Selector: "zest2026", Algorithm: DKIMEd25519SHA256, PrivateKey: []byte("junk")},
	}
	for _, k := range bad {
		if err := s.SetDKIMKey(ctx, "example.org", k); err == nil {
			t.Errorf("SetDKIMKey accepted %q %q", k.Selector, k.Algorithm)
		}
	}
	if err := s.SetDKIMKey(ctx, "not a domain", key); err == nil {
		t.Error("SetDKIMKey accepted an invalid domain")
	}

	key.Selector = "zest2027"
	if err := s.SetDKIMKey(ctx, "example.org", key); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDKIMKey(ctx, "example.net", key); err != nil {
		t.Fatal(err)
	}
	all, err := s.DKIMKeys(ctx)
	if err != nil || len(all) != 2 || all[0].Domain != "example.net" || all[1].Domain != "example.org" || all[1].Selector != "zest2027" {
		t.Fatalf("DKIMKeys = %+v, %v", all, err)
	}
	if err := s.DeleteDKIMKey(ctx, "example.org"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDKIMKey(ctx, "example.org"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := s.DKIMKey(ctx, "example.org"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v, want ErrNotFound", err)
	}
}
