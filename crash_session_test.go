package main

import (
	"bufio"
	"fmt"
	"net"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// imapScript is a minimal line client for the crash test.
type imapScript struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialIMAP(t *testing.T, addr string) *imapScript {
	t.Helper()
	// The child opens its listeners one after another: LMTP answering does
	// not mean IMAP does yet.
	var nc net.Conn
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if nc, err = net.Dial("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	s := &imapScript{t: t, nc: nc, r: bufio.NewReader(nc)}
	s.run("", "") // greeting
	return s
}

// run sends tag+" "+cmd (nothing when cmd is "") and returns the untagged
// lines up to the tagged OK.
func (s *imapScript) run(tag, cmd string) []string {
	s.t.Helper()
	s.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if cmd != "" {
		fmt.Fprintf(s.nc, "%s %s\r\n", tag, cmd)
	}
	var lines []string
	for {
		l, err := s.r.ReadString('\n')
		if err != nil {
			s.t.Fatalf("%s: %v", cmd, err)
		}
		l = strings.TrimRight(l, "\r\n")
		if tag == "" {
			return []string{l}
		}
		if strings.HasPrefix(l, tag+" ") {
			if !strings.HasPrefix(l, tag+" OK") {
				s.t.Fatalf("%s: %s", cmd, l)
			}
			return lines
		}
		lines = append(lines, l)
	}
}

// TestCrashKeepsClientIDAndState kills the server with SIGKILL right after
// it answered CLIENTID and SAVESTATE, and checks after a restart that the
// ID is still the account's and the token still restores.
// spec: CI-13, CI-22, ST-10, ST-16
func TestCrashKeepsClientIDAndState(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	lmtpAddr, imapAddr := freeAddr(t), freeAddr(t)
	cfg := writeServerConfig(t, dir, map[string]string{"lmtp": lmtpAddr, "imap": imapAddr})
	runCLI(t, "pw\n", "--config", cfg, "user", "add", "a@example.org", "--password-stdin")

	child := startChild(t, cfg, lmtpAddr)
	c := dialIMAP(t, imapAddr)
	c.run("a", `LOGIN a@example.org pw`)
	c.run("b", "STATE")
	lines := c.run("c", "CLIENTID")
	m := regexp.MustCompile(`^\* "([A-Za-z0-9]+)"$`).FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("CLIENTID answered %q", lines)
	}
	id := m[1]
	lines = c.run("d", "SAVESTATE")
	token, ok := strings.CutPrefix(lines[0], "* SAVESTATE ")
	if !ok {
		t.Fatalf("SAVESTATE answered %q", lines)
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	c.nc.Close()

	child = startChild(t, cfg, lmtpAddr)
	defer func() {
		child.Process.Signal(syscall.SIGTERM)
		child.Wait()
	}()
	c = dialIMAP(t, imapAddr)
	c.run("a", `LOGIN a@example.org pw`)
	if lines := c.run("b", "STATE "+token); len(lines) != 1 || lines[0] != "* STATE "+token {
		t.Errorf("STATE after the kill answered %q", lines)
	}
	c = dialIMAP(t, imapAddr)
	c.run("a", `LOGIN a@example.org pw`)
	c.run("b", `CLIENTID "`+id+`"`) // fails the test unless OK
}
