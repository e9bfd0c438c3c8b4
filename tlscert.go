package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Where the self-signed certificate lives, under the data directory.
const (
	selfSignedDir      = "tls"
	selfSignedCertFile = "selfsigned-cert.pem"
	selfSignedKeyFile  = "selfsigned-key.pem"
)

const (
	// selfSignedLifetime is how long a generated certificate is valid.
	selfSignedLifetime = 10 * 365 * 24 * time.Hour
	// selfSignedRenewBefore: a stored certificate that expires sooner than
	// this is replaced at start rather than reused.
	selfSignedRenewBefore = 30 * 24 * time.Hour
)

// loadTLS returns the TLS configuration every TLS listener serves (TLS 1.2 at
// least). With [tls] cert and key set it loads that pair. Otherwise it uses a
// self-signed ECDSA P-256 certificate for cfg.Hostname (also valid for
// "localhost", 127.0.0.1 and ::1) kept in <data>/tls/: generated on first start,
// reused after, and generated anew when the hostname changed, when it expires
// within 30 days, or when the stored files are unreadable.
func loadTLS(cfg Config) (*tls.Config, error) {
	var (
		cert tls.Certificate
		err  error
	)
	switch {
	case cfg.TLS.Cert != "" || cfg.TLS.Key != "":
		cert, err = loadKeyPair(cfg.TLS.Cert, cfg.TLS.Key)
	default:
		cert, err = selfSignedCert(cfg.Data, cfg.Hostname, time.Now())
	}
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
	}, nil
}

// loadKeyPair loads an operator's certificate chain and key, saying which file
// a failure is about.
func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	if certFile == "" || keyFile == "" {
		return tls.Certificate{}, errors.New("tls: cert and key must be given together")
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls.cert: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls.key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: cert %s, key %s: %w", certFile, keyFile, err)
	}
	return cert, nil
}

// selfSignedCert returns the stored self-signed certificate under dataDir when
// it is still good for hostname at now, and otherwise generates and stores a
// new one.
func selfSignedCert(dataDir, hostname string, now time.Time) (tls.Certificate, error) {
	dir := filepath.Join(dataDir, selfSignedDir)
	certPath := filepath.Join(dir, selfSignedCertFile)
	keyPath := filepath.Join(dir, selfSignedKeyFile)

	if cert, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && selfSignedFits(cert.Leaf, hostname, now) {
		return cert, nil
	}

	certPEM, keyPEM, err := generateSelfSigned(hostname, now)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: generate self-signed certificate: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: %w", err)
	}
	// Key first: a crash between the two leaves a pair that does not match,
	// which the next start treats as missing and replaces.
	if err := writeFileAtomic(keyPath, keyPEM); err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: %w", err)
	}
	if err := writeFileAtomic(certPath, certPEM); err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tls: self-signed certificate: %w", err)
	}
	return cert, nil
}

// selfSignedFits reports whether a stored self-signed certificate was made for
// hostname and stays valid for a while past now.
func selfSignedFits(leaf *x509.Certificate, hostname string, now time.Time) bool {
	return leaf != nil &&
		strings.EqualFold(leaf.Subject.CommonName, hostname) &&
		!now.Before(leaf.NotBefore) &&
		now.Add(selfSignedRenewBefore).Before(leaf.NotAfter)
}

// generateSelfSigned makes a new ECDSA P-256 key and a self-signed server
// certificate for hostname, "localhost", 127.0.0.1 and ::1, and returns both
// PEM-encoded.
func generateSelfSigned(hostname string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	names := []string{hostname}
	if !strings.EqualFold(hostname, "localhost") {
		names = append(names, "localhost")
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:   hostname,
			Organization: []string{"Zest self-signed"},
		},
		DNSNames:    names,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		// An hour back, for clients whose clock is a little behind.
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	return certPEM, keyPEM, nil
}

// writeFileAtomic writes data to path with mode 0600: into a temporary file in
// the same directory, synced, then renamed over path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
