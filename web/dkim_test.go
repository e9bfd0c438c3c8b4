package web

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// A generated key is RSA 2048 with a selector naming the year, and its TXT
// record holds the public key that verifies the private key's signatures.
func TestGenerateDKIMKey(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	key, err := GenerateDKIMKey("Example.ORG", now)
	if err != nil {
		t.Fatal(err)
	}
	if key.Selector != "zest2026" || key.Algorithm != storage.DKIMRSASHA256 || key.Domain != "example.org" || !key.Created.Equal(now) {
		t.Errorf("key = %q %q %q %v", key.Domain, key.Selector, key.Algorithm, key.Created)
	}
	name, value, err := DKIMRecord(key)
	if err != nil {
		t.Fatal(err)
	}
	if name != "zest2026._domainkey.example.org" {
		t.Errorf("name = %q", name)
	}
	const prefix = "v=DKIM1; k=rsa; p="
	if !strings.HasPrefix(value, prefix) {
		t.Fatalf("value = %q", value)
	}
	spki, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(value, prefix))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	rpub, ok := pub.(*rsa.PublicKey)
	if !ok || rpub.N.BitLen() != 2048 {
		t.Fatalf("published key %T is not RSA 2048", pub)
	}
	priv, _ := x509.ParsePKCS8PrivateKey(key.PrivateKey)
	digest := sha256.Sum256([]byte("a header hash"))
	sig, err := rsa.SignPKCS1v15(nil, priv.(*rsa.PrivateKey), crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(rpub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("published key does not verify the private key's signature: %v", err)
	}

	if _, _, err := DKIMRecord(storage.DKIMKey{Domain: "example.org", Selector: "x", PrivateKey: []byte("junk")}); err == nil {
		t.Error("DKIMRecord of a corrupt key gave no error")
	}
}
