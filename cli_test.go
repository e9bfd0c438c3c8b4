package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	gosmtp "github.com/emersion/go-smtp"
)

func runCLIStatus(args []string, stdin string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAdminCommandsWithoutServer(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, map[string]string{"lmtp": freeAddr(t)})
	c := []string{"--config", cfg}
	runCLI(t, "pw1\n", append(c, "user", "add", "alice@example.org", "--password-stdin")...)
	runCLI(t, "pw2\n", append(c, "user", "add", "bob@example.org", "--password-stdin")...)
	runCLI(t, "", append(c, "alias", "add", "team@example.org", "alice@example.org", "bob@example.org")...)
	runCLI(t, "", append(c, "domain", "add", "example.net")...)
	runCLI(t, "", append(c, "alias", "add", "@example.net", "alice@example.org")...)
	if out := runCLI(t, "", append(c, "user", "list")...); !strings.Contains(out, "alice@example.org") || !strings.Contains(out, "bob@example.org") {
		t.Errorf("user list:\n%s", out)
	}
	if out := runCLI(t, "", append(c, "alias", "list")...); !strings.Contains(out, "team@example.org -> alice@example.org, bob@example.org") || !strings.Contains(out, "@example.net -> alice@example.org") {
		t.Errorf("alias list:\n%s", out)
	}
	if out := runCLI(t, "", append(c, "domain", "list")...); out != "example.net\nexample.org\n" {
		t.Errorf("domain list: %q", out)
	}
	runCLI(t, "pw3\n", append(c, "user", "passwd", "bob@example.org", "--password-stdin")...)
	runCLI(t, "", append(c, "user", "del", "bob@example.org")...)
	if out := runCLI(t, "", append(c, "user", "list")...); strings.Contains(out, "bob@") {
		t.Errorf("deleted user still listed:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user", "add", "alice@example.org", "--password-stdin"}, 1, "already exists"},
		{[]string{"user", "add", "not-an-address", "--password-stdin"}, 1, "user@domain"},
		{[]string{"user", "del", "nobody@example.org"}, 1, "not found"},
		{[]string{"user", "frobnicate"}, 2, "unknown command"},
		{[]string{"user", "list", "extra"}, 2, "takes 0 argument"},
		{[]string{"alias", "add", "x@example.org", "someone@remote.example"}, 1, "not local"},
		{[]string{"nonsense"}, 2, "unknown command"},
	} {
		code, _, stderr := runCLIStatus(append(c, tc.args...), "pw\n")
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("zest %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.want)
		}
	}
	if code, _, stderr := runCLIStatus(append(c, "user", "add", "carol@example.org", "--password-stdin"), ""); code != 1 || !strings.Contains(stderr, "password") {
		t.Errorf("user add without a password: exit %d, %q", code, stderr)
	}
}

func TestVersionAndUsage(t *testing.T) {
	if code, out, _ := runCLIStatus([]string{"version"}, ""); code != 0 || !strings.HasPrefix(out, "zest ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, stderr := runCLIStatus(nil, ""); code != 2 || !strings.Contains(stderr, "zest serve") {
		t.Errorf("no arguments: %d %q", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("hostname = \"mx.example.org\"\n[listen]\nsmpt = \"127.0.0.1:25\"\n"), 0o600)
	if code, _, stderr := runCLIStatus([]string{"serve", "--config", bad}, ""); code != 1 || !strings.Contains(stderr, `bad.toml:3: unknown key "listen.smpt"`) {
		t.Errorf("unknown key: exit %d, %q", code, stderr)
	}
}

// TestServeWithControlSocket runs a real server and administers it while it
// runs: the store is locked by the server, so the commands succeed only
// through the control socket.
func TestServeWithControlSocket(t *testing.T) {
	dir := t.TempDir()
	lmtpAddr, smtpAddr, imapAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	cfg := writeServerConfig(t, dir, map[string]string{"lmtp": lmtpAddr, "smtp": smtpAddr, "imap": imapAddr})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ZEST_CHILD_ARGS="+strings.Join([]string{"serve", "--config", cfg}, "\x1f"))
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// serve says where it listens and how to add a user.
	var banner strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "add a user with:") {
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	for _, want := range []string{"lmtp", lmtpAddr, "smtp", smtpAddr, "imap", imapAddr, "user add you@mx.example.org --password-stdin"} {
		if !strings.Contains(banner.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, banner.String())
		}
	}

	c := []string{"--config", cfg}
	runCLI(t, "pw\n", append(c, "user", "add", "dave@example.org", "--password-stdin")...)
	conn, err := net.Dial("tcp", lmtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	cl := gosmtp.NewClientLMTP(conn)
	if err := cl.SendMail("x@example.net", []string{"dave@example.org"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n")); err != nil {
		t.Fatalf("delivery to a user added through the control socket: %v", err)
	}
	cl.Close()
	if out := runCLI(t, "", append(c, "user", "list")...); !regexpMatch(`dave@example\.org\s+1\s`, out) {
		t.Errorf("user list through the socket:\n%s", out)
	}
	// The delivered message is there over IMAP.
	ic, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.Login("dave@example.org", "pw").Wait(); err != nil {
		t.Fatalf("IMAP login: %v", err)
	}
	if st, err := ic.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil || *st.NumMessages != 1 {
		t.Errorf("IMAP STATUS INBOX: %+v %v", st, err)
	}
	ic.Logout().Wait()
	if code, _, stderr := runCLIStatus(append(c, "user", "add", "dave@example.org", "--password-stdin"), "pw\n"); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("error through the socket: %d %q", code, stderr)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	// With the server gone the same command opens the store itself.
	if out := runCLI(t, "", append(c, "user", "list")...); !strings.Contains(out, "dave@example.org") {
		t.Errorf("user list after shutdown:\n%s", out)
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
