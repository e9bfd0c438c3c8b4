package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// tlsTestConfig is a configuration whose data directory does not exist yet.
func tlsTestConfig(t *testing.T, hostname string) Config {
	cfg := DefaultConfig()
	cfg.Hostname = hostname
	cfg.Data = filepath.Join(t.TempDir(), "data")
	return cfg
}

// selfSignedFiles reads the stored self-signed certificate and key.
func selfSignedFiles(t *testing.T, data string) (certPEM, keyPEM []byte) {
	t.Helper()
	certPEM, err := os.ReadFile(filepath.Join(data, "tls", "selfsigned-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err = os.ReadFile(filepath.Join(data, "tls", "selfsigned-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM
}

func leafOf(t *testing.T, tc *tls.Config) *x509.Certificate {
	t.Helper()
	if len(tc.Certificates) != 1 {
		t.Fatalf("%d certificates, want 1", len(tc.Certificates))
	}
	leaf, err := x509.ParseCertificate(tc.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func TestSelfSignedGenerateThenReuse(t *testing.T) {
	cfg := tlsTestConfig(t, "mail.example.org")
	tc, err := loadTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tc.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %#x, want TLS 1.2", tc.MinVersion)
	}

	leaf := leafOf(t, tc)
	if leaf.Subject.CommonName != "mail.example.org" {
		t.Errorf("CommonName = %q", leaf.Subject.CommonName)
	}
	if want := []string{"mail.example.org", "localhost"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNSNames = %v, want %v", leaf.DNSNames, want)
	}
	for _, ip := range []string{"127.0.0.1", "::1"} {
		if !slices.ContainsFunc(leaf.IPAddresses, func(a net.IP) bool { return a.Equal(net.ParseIP(ip)) }) {
			t.Errorf("IPAddresses = %v, missing %s", leaf.IPAddresses, ip)
		}
	}
	for _, name := range []string{"mail.example.org", "localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("VerifyHostname(%s): %v", name, err)
		}
	}
	if life := leaf.NotAfter.Sub(leaf.NotBefore); life < 10*365*24*time.Hour {
		t.Errorf("valid for %v, want 10 years", life)
	}
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", leaf.PublicKey)
	}
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		t.Errorf("ExtKeyUsage = %v, want server auth", leaf.ExtKeyUsage)
	}

	for _, p := range []struct {
		path string
		mode os.FileMode
	}{
		{cfg.Data, 0o700},
		{filepath.Join(cfg.Data, "tls"), 0o700},
		{filepath.Join(cfg.Data, "tls", "selfsigned-cert.pem"), 0o600},
		{filepath.Join(cfg.Data, "tls", "selfsigned-key.pem"), 0o600},
	} {
		fi, err := os.Stat(p.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != p.mode {
			t.Errorf("%s: mode %v, want %v", p.path, fi.Mode().Perm(), p.mode)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(cfg.Data, "tls", ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	certPEM, keyPEM := selfSignedFiles(t, cfg.Data)
	tc2, err := loadTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	certPEM2, keyPEM2 := selfSignedFiles(t, cfg.Data)
	if !bytes.Equal(certPEM, certPEM2) || !bytes.Equal(keyPEM, keyPEM2) {
		t.Error("second start rewrote the certificate files")
	}
	if !bytes.Equal(tc.Certificates[0].Certificate[0], tc2.Certificates[0].Certificate[0]) {
		t.Error("second start serves a different certificate")
	}
}

func TestSelfSignedRegenerates(t *testing.T) {
	tests := []struct {
		name string
		// change does something to the stored pair or the configuration
		// between the first and second start.
		change func(t *testing.T, cfg *Config)
		// now is when the second start happens.
		now time.Time
	}{
		{
			name:   "hostname changed",
			change: func(t *testing.T, cfg *Config) { cfg.Hostname = "new.example.org" },
			now:    time.Now(),
		},
		{
			name:   "expires within 30 days",
			change: func(t *testing.T, cfg *Config) {},
			now:    time.Now().Add(10*365*24*time.Hour - 29*24*time.Hour),
		},
		{
			name: "key file corrupt",
			change: func(t *testing.T, cfg *Config) {
				if err := os.WriteFile(filepath.Join(cfg.Data, "tls", "selfsigned-key.pem"), []byte("junk"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			now: time.Now(),
		},
		{
			name: "cert file missing",
			change: func(t *testing.T, cfg *Config) {
				if err := os.Remove(filepath.Join(cfg.Data, "tls", "selfsigned-cert.pem")); err != nil {
					t.Fatal(err)
				}
			},
			now: time.Now(),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tlsTestConfig(t, "old.example.org")
			first, err := selfSignedCert(cfg.Data, cfg.Hostname, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			tc.change(t, &cfg)
			second, err := selfSignedCert(cfg.Data, cfg.Hostname, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(first.Certificate[0], second.Certificate[0]) {
				t.Fatal("certificate was reused, want a new one")
			}
			if second.Leaf.Subject.CommonName != cfg.Hostname {
				t.Errorf("CommonName = %q, want %q", second.Leaf.Subject.CommonName, cfg.Hostname)
			}
			// The new pair is what is stored, and the next start reuses it.
			third, err := selfSignedCert(cfg.Data, cfg.Hostname, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(second.Certificate[0], third.Certificate[0]) {
				t.Error("regenerated certificate was not stored for reuse")
			}
		})
	}
}

// writePair stores a fresh certificate and key for hostname in dir and returns
// their paths and the certificate's DER.
func writePair(t *testing.T, dir, hostname string) (certFile, keyFile string, der []byte) {
	t.Helper()
	certPEM, keyPEM, err := generateSelfSigned(hostname, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(dir, hostname+"-cert.pem")
	keyFile = filepath.Join(dir, hostname+"-key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pair.Certificate[0]
}

func TestLoadTLSExplicitPair(t *testing.T) {
	cfg := tlsTestConfig(t, "mail.example.org")
	certFile, keyFile, der := writePair(t, t.TempDir(), "operator.example.org")
	cfg.TLS = TLSConfig{Cert: certFile, Key: keyFile}
	tc, err := loadTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tc.Certificates[0].Certificate[0], der) {
		t.Error("loadTLS does not serve the configured certificate")
	}
	if tc.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %#x, want TLS 1.2", tc.MinVersion)
	}
	if _, err := os.Stat(cfg.Data); !os.IsNotExist(err) {
		t.Errorf("data directory touched with an explicit pair: %v", err)
	}
}

func TestLoadTLSErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := writePair(t, dir, "a.example")
	otherCert, _, _ := writePair(t, dir, "b.example")
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not PEM at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name      string
		cert, key string
		wantErr   []string
	}{
		{"missing cert", missing, keyFile, []string{"tls.cert", missing, "no such file"}},
		{"missing key", certFile, missing, []string{"tls.key", missing, "no such file"}},
		{"cert not PEM", garbage, keyFile, []string{garbage, "certificate"}},
		{"key not PEM", certFile, garbage, []string{garbage, "key"}},
		{"key of another certificate", otherCert, keyFile, []string{otherCert, keyFile, "does not match"}},
		{"cert without key", certFile, "", []string{"cert and key must be given together"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tlsTestConfig(t, "mail.example.org")
			cfg.TLS = TLSConfig{Cert: tc.cert, Key: tc.key}
			_, err := loadTLS(cfg)
			if err == nil {
				t.Fatal("loadTLS succeeded, want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// TestSelfSignedHandshake serves the generated configuration on a loopback
// listener and checks that a client that trusts the certificate connects with
// TLS 1.2 or later, and that one limited to TLS 1.1 is refused.
func TestSelfSignedHandshake(t *testing.T) {
	cfg := tlsTestConfig(t, "mail.example.org")
	serverConf, err := loadTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverConf)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if c.(*tls.Conn).Handshake() == nil {
					c.Write([]byte("hello\n"))
				}
			}()
		}
	}()

	roots := x509.NewCertPool()
	roots.AddCert(leafOf(t, serverConf))
	for _, name := range []string{"mail.example.org", "localhost"} {
		t.Run(name, func(t *testing.T) {
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(),
				&tls.Config{RootCAs: roots, ServerName: name})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if v := conn.ConnectionState().Version; v < tls.VersionTLS12 {
				t.Errorf("negotiated %s, want TLS 1.2 or later", tls.VersionName(v))
			}
			buf := make([]byte, 6)
			if _, err := conn.Read(buf); err != nil || string(buf) != "hello\n" {
				t.Errorf("read %q, %v", buf, err)
			}
		})
	}

	t.Run("TLS 1.1 refused", func(t *testing.T) {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(),
			&tls.Config{RootCAs: roots, ServerName: "mail.example.org", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Fatalf("handshake with TLS 1.1 succeeded (%s)", tls.VersionName(conn.ConnectionState().Version))
		}
		t.Logf("refused: %v", err)
	})
}
