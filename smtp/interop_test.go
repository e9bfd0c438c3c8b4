package smtp

import (
	"crypto/tls"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tlsEnv is an env with STARTTLS on, and the certificate's PEM file.
func tlsEnv(t *testing.T) (*env, string) {
	cert := selfSigned(t, "mx.zest.test")
	e := newEnvConfig(t, func(c *Config) { c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}} })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, ca
}

// lastMessage returns the newest message in a's INBOX, checking it
// arrived from helo with protocol with.
func (e *env) lastMessage(t *testing.T, who string, helo, with string) string {
	t.Helper()
	acct := e.alice
	if who == "bob" {
		acct = e.bob
	}
	msgs := e.inbox(acct)
	if len(msgs) == 0 {
		t.Fatalf("%s has no message", who)
	}
	stored := e.body(msgs[len(msgs)-1])
	_, received, _, body := splitTrace(t, stored)
	if !strings.HasPrefix(received, "Received: from "+helo+" ([127.0.0.1])\r\n\tby mx.zest.test with "+with+"\r\n") &&
		!strings.HasPrefix(received, "Received: from "+helo+" ([127.0.0.1])\r\n\tby mx.zest.test with "+with+" (") {
		t.Errorf("%s's message: Received: %q, want from %s with %s", who, received, helo, with)
	}
	return string(body)
}

// Debian's swaks delivers over SMTP, SMTP with STARTTLS and pipelining,
// and LMTP to two recipients.
func TestSwaks(t *testing.T) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		t.Skip("swaks not installed: apt-get install swaks")
	}
	e, _ := tlsEnv(t)
	run := func(t *testing.T, addr string, args ...string) string {
		t.Helper()
		host, port, _ := net.SplitHostPort(addr)
		args = append([]string{"--server", host, "--port", port, "--from", "sender@example.net",
			"--helo", "swaks.example.net", "--timeout", "20"}, args...)
		out, err := exec.Command(swaks, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("swaks %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	t.Run("smtp", func(t *testing.T) {
		out := run(t, e.smtpAddr, "--to", "alice@example.org", "--header", "Subject: swaks smtp", "--body", "Hello from swaks.")
		if !strings.Contains(out, "<-  250 2.0.0 Ok: delivered as ") {
			t.Errorf("swaks transcript:\n%s", out)
		}
		body := e.lastMessage(t, "alice", "swaks.example.net", "ESMTP")
		if !strings.Contains(body, "Subject: swaks smtp\r\n") || !strings.Contains(body, "\r\n\r\nHello from swaks.\r\n") {
			t.Errorf("stored %q", body)
		}
	})
	t.Run("starttls+pipelining", func(t *testing.T) {
		if out, _ := exec.Command(swaks, "--support").CombinedOutput(); !strings.Contains(string(out), "TLS supported") {
			t.Skip("swaks without TLS support: apt-get install libnet-ssleay-perl")
		}
		out := run(t, e.smtpAddr, "--to", "alice@example.org", "-tls", "--pipeline", "--header", "Subject: swaks tls")
		if !strings.Contains(out, "TLS started") {
			t.Errorf("swaks transcript:\n%s", out)
		}
		body := e.lastMessage(t, "alice", "swaks.example.net", "ESMTPS")
		if !strings.Contains(body, "Subject: swaks tls\r\n") {
			t.Errorf("stored %q", body)
		}
	})
	t.Run("lmtp", func(t *testing.T) {
		out := run(t, e.lmtpAddr, "--protocol", "LMTP", "--to", "alice@example.org,bob@example.org", "--header", "Subject: swaks lmtp")
		for _, rcpt := range []string{"alice", "bob"} {
			if !strings.Contains(out, "<-  250 2.0.0 <"+rcpt+"@example.org> Ok: delivered as ") {
				t.Errorf("no reply for %s in swaks transcript:\n%s", rcpt, out)
			}
			if body := e.lastMessage(t, rcpt, "swaks.example.net", "LMTP"); !strings.Contains(body, "Subject: swaks lmtp\r\n") {
				t.Errorf("%s's message %q", rcpt, body)
			}
		}
	})
}

const pythonClient = `
import smtplib, ssl, sys

host, smtp_port, lmtp_port, cafile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
msg = "From: py@example.net\nTo: %s\nSubject: python %s\n\nHello from smtplib.\n.leading dot\n"

ctx = ssl.create_default_context(cafile=cafile)
with smtplib.SMTP(host, smtp_port, local_hostname="python.example.net", timeout=20) as s:
    s.starttls(context=ctx)
    s.ehlo("python.example.net")
    refused = s.sendmail("py@example.net", ["alice@example.org"], msg % ("alice@example.org", "smtp"))
    assert not refused, refused
    print("smtp", s.sock.version())

with smtplib.LMTP(host, lmtp_port, local_hostname="python.example.net", timeout=20) as l:
    refused = l.sendmail("py@example.net", ["bob@example.org"], msg % ("bob@example.org", "lmtp"))
    assert not refused, refused
    print("lmtp ok")
`

// Python's smtplib delivers over SMTP with STARTTLS (verifying the
// certificate) and over LMTP.
func TestPythonSmtplib(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	e, ca := tlsEnv(t)
	_, smtpPort, _ := net.SplitHostPort(e.smtpAddr)
	_, lmtpPort, _ := net.SplitHostPort(e.lmtpAddr)
	out, err := exec.Command(python, "-c", pythonClient, "127.0.0.1", smtpPort, lmtpPort, ca).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "smtp TLSv1.3") || !strings.Contains(string(out), "lmtp ok") {
		t.Errorf("python said:\n%s", out)
	}
	want := "Subject: python smtp\r\n\r\nHello from smtplib.\r\n.leading dot\r\n"
	if body := e.lastMessage(t, "alice", "python.example.net", "ESMTPS"); !strings.HasSuffix(body, want) {
		t.Errorf("alice's message %q", body)
	}
	if body := e.lastMessage(t, "bob", "python.example.net", "LMTP"); !strings.Contains(body, "Subject: python lmtp\r\n") {
		t.Errorf("bob's message %q", body)
	}
}
