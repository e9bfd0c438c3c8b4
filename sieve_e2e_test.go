package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	gosmtp "github.com/emersion/go-smtp"
)

// The end-to-end path: a user uploads a script with Debian's
// sieve-connect over ManageSieve to a running zest, activates it, and mail
// delivered over LMTP lands in the folder the script names, with the flags
// it sets; a script that does not compile is refused with its line; the
// script's vacation reply is queued once per sender per period, as
// `zest queue list` shows.
//
// spec: SV-04, SV-28, SV-37, SV-72, SV-80
func TestSieveConnectThenDelivery(t *testing.T) {
	if _, err := exec.LookPath("sieve-connect"); err != nil {
		t.Skip("SKIPPED: sieve-connect is not installed (apt-get install sieve-connect); the ManageSieve-to-delivery path is not tested")
	}
	dir := t.TempDir()
	lmtpAddr, imapAddr, sieveAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	cfg := writeServerConfig(t, dir, map[string]string{"lmtp": lmtpAddr, "imap": imapAddr, "managesieve": sieveAddr})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ZEST_CHILD_ARGS="+strings.Join([]string{"serve", "--config", cfg}, "\x1f"))
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "add a user with:") {
	}
	go io.Copy(io.Discard, stdout)
	runCLI(t, "alice pw\n", "--config", cfg, "user", "add", "alice@example.org", "--password-stdin")

	_, port, _ := net.SplitHostPort(sieveAddr)
	sieveConnect := func(args ...string) (string, error) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w.WriteString("alice pw\n")
		w.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		base := []string{"--server", "127.0.0.1", "--port", port, "--user", "alice@example.org", "--passwordfd", "3",
			"--notlsverify", "--noclearchan", "--authmech", "PLAIN"}
		c := exec.CommandContext(ctx, "sieve-connect", append(base, args...)...)
		c.ExtraFiles = []*os.File{r}
		c.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := c.CombinedOutput()
		return string(out), err
	}
	broken := filepath.Join(dir, "broken.sieve")
	os.WriteFile(broken, []byte("require \"fileinto\";\nfileinto \"Work\"\n"), 0o600)
	if out, err := sieveConnect("--upload", "--localsieve", broken, "--remotesieve", "broken"); err == nil || !strings.Contains(out, "line 3") && !strings.Contains(out, "3:") {
		t.Errorf("a broken script was accepted or its error lacks the line: %v\n%s", err, out)
	}
	good := filepath.Join(dir, "rules.sieve")
	os.WriteFile(good, []byte("require [\"fileinto\", \"imap4flags\", \"vacation\"];\nif address :domain \"from\" \"work.example\" {\n  fileinto :flags \"\\\\Flagged\" \"Archive\";\n}\nvacation :days 7 \"Back on Monday.\";\n"), 0o600)
	if out, err := sieveConnect("--upload", "--localsieve", good, "--remotesieve", "rules"); err != nil {
		t.Fatalf("upload: %v\n%s", err, out)
	}
	if out, err := sieveConnect("--activate", "--remotesieve", "rules"); err != nil {
		t.Fatalf("activate: %v\n%s", err, out)
	}

	for _, from := range []string{"boss@work.example", "friend@home.example", "friend@home.example"} {
		conn, err := net.Dial("tcp", lmtpAddr)
		if err != nil {
			t.Fatal(err)
		}
		cl := gosmtp.NewClientLMTP(conn)
		msg := "From: " + from + "\r\nTo: alice@example.org\r\nSubject: hello\r\n\r\nhi\r\n"
		if err := cl.SendMail(from, []string{"alice@example.org"}, strings.NewReader(msg)); err != nil {
			t.Fatalf("LMTP delivery: %v", err)
		}
		cl.Close()
	}

	c, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice@example.org", "alice pw").Wait(); err != nil {
		t.Fatal(err)
	}
	for _, box := range []struct {
		name  string
		flag  bool
		count uint32
	}{{"Archive", true, 1}, {"INBOX", false, 2}} {
		sel, err := c.Select(box.name, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if sel.NumMessages != box.count {
			t.Errorf("%s holds %d messages, want %d", box.name, sel.NumMessages, box.count)
			continue
		}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
		if err != nil || len(msgs) != 1 {
			t.Fatal(err)
		}
		flagged := false
		for _, f := range msgs[0].Flags {
			flagged = flagged || f == imap.FlagFlagged
		}
		if flagged != box.flag {
			t.Errorf("%s: flags %v, want \\Flagged %v", box.name, msgs[0].Flags, box.flag)
		}
	}

	// One reply per sender within the period: two for three messages.
	queue := runCLI(t, "", "--config", cfg, "queue", "list")
	lines := strings.Split(strings.TrimSpace(queue), "\n")
	if len(lines) != 3 || strings.Count(queue, "vacation") != 2 ||
		!strings.Contains(queue, "boss@work.example") || strings.Count(queue, "friend@home.example") != 1 {
		t.Fatalf("zest queue list:\n%s\nwant one vacation reply to each sender", queue)
	}
	id := strings.Fields(lines[1])[0]
	reply := runCLI(t, "", "--config", cfg, "queue", "show", id)
	if !strings.Contains(reply, "Auto-Submitted: auto-replied") || !strings.Contains(reply, "Subject: Auto: hello") || !strings.Contains(reply, "Back on Monday.") {
		t.Errorf("zest queue show %s:\n%s", id, reply)
	}
	runCLI(t, "", "--config", cfg, "queue", "remove", id)
	if after := runCLI(t, "", "--config", cfg, "queue", "list"); strings.Count(after, "vacation") != 1 {
		t.Errorf("after zest queue remove %s:\n%s", id, after)
	}
}

// The ManageSieve greeting of a running zest names the notify methods
// scripts may use, and enotify among the Sieve extensions.
//
// spec: SV-70
func TestManageSieveGreetingNotify(t *testing.T) {
	dir := t.TempDir()
	sieveAddr := freeAddr(t)
	startServer(t, writeServerConfig(t, dir, map[string]string{"managesieve": sieveAddr}))
	conn, err := net.DialTimeout("tcp", sieveAddr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var greeting []string
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		greeting = append(greeting, sc.Text())
		if strings.HasPrefix(sc.Text(), "OK") {
			break
		}
	}
	text := strings.Join(greeting, "\n")
	if !strings.Contains(text, "\n\"NOTIFY\" \"mailto\"\n") {
		t.Errorf("greeting lacks NOTIFY \"mailto\":\n%s", text)
	}
	if !strings.Contains(text, "enotify") {
		t.Errorf("SIEVE capability lacks enotify:\n%s", text)
	}
}
