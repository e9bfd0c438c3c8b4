package imap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// FuzzSession plays arbitrary bytes as commands into a live session, in each
// connection state (not logged in, logged in, mailbox selected), and checks
// what a client would see: the server never panics, every response line is
// well formed, and after the input the session either still answers a NOOP
// or has ended with BYE or a clean close — never a hang.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"A1 NOOP\r\n", "A1 LOGIN x y\r\n", "a select inbox\r\n", "A1 STATUS INBOX (MESSAGES UIDNEXT)\r\n",
		"A1 CREATE {3+}\r\nabc\r\n", "A1 LIST \"\" *\r\n", "A1 IDLE\r\nDONE\r\n", "A1 AUTHENTICATE PLAIN\r\n*\r\n",
		"A1 FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])\r\n", "A1 UID STORE 1 +FLAGS (\\Seen)\r\n",
		"A1 SEARCH OR FROM x NOT SEEN\r\n", "A1 APPEND INBOX {5+}\r\nhello\r\n", "\x00\xff\r\n", "A1 ENABLE IMAP4rev2\r\n",
	} {
		for state := range 3 {
			f.Add(uint8(state), []byte(s))
		}
	}
	e := newTestEnv(f)
	e.deliver("", message(1), message(2), message(3))
	// Inputs with failing logins would otherwise slow and then lock out
	// the fuzzer's address; the limiter has tests of its own.
	e.srv.limits.unit = 0
	loopback := netip.MustParseAddr("127.0.0.1")
	f.Fuzz(func(t *testing.T, state uint8, input []byte) {
		e.srv.limits.succeeded(loopback)
		nc, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		r := bufio.NewReader(nc)
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		// A literal announced in the input (synchronising or not) may
		// legitimately swallow the sentinel's bytes as literal data, the
		// server then waiting for the rest: only then may the sentinel go
		// unanswered.
		literalPending := bytes.Contains(input, []byte("}"))
		readUntil := func(tag string) (closed bool) {
			for {
				line, err := r.ReadString('\n')
				if err == io.EOF || err != nil && strings.Contains(err.Error(), "reset") {
					return true
				}
				var ne net.Error
				if tag == "ZZ" && literalPending && errors.As(err, &ne) && ne.Timeout() {
					return false
				}
				if err != nil {
					t.Fatalf("reading: %v (input %q)", err, input)
				}
				checkResponseLine(t, line, input)
				if strings.HasPrefix(line, tag+" ") || strings.HasPrefix(line, "* BYE") {
					return strings.HasPrefix(line, "* BYE")
				}
			}
		}
		readUntil("*") // greeting
		switch state % 3 {
		case 1, 2:
			fmt.Fprintf(nc, "Z1 LOGIN alice@example.org \"alice password\"\r\n")
			readUntil("Z1")
			if state%3 == 2 {
				fmt.Fprintf(nc, "Z2 SELECT INBOX\r\n")
				readUntil("Z2")
			}
		}
		nc.Write(input)
		// The sentinel: on a fresh line, so a half-sent command ends first.
		fmt.Fprintf(nc, "\r\nZZ NOOP\r\n")
		if literalPending {
			nc.SetReadDeadline(time.Now().Add(2 * time.Second))
		}
		readUntil("ZZ")
		if strings.Contains(e.logs.String(), "panic") {
			t.Fatalf("server panicked on %q:\n%s", input, e.logs.String())
		}
	})
}

// checkResponseLine checks one server line is a well-formed response start:
// untagged, a continuation, or tagged OK/NO/BAD. Literal contents may look
// like anything, so lines inside literals are not checked strictly.
func checkResponseLine(t *testing.T, line string, input []byte) {
	t.Helper()
	if strings.HasPrefix(line, "* ") || strings.HasPrefix(line, "+ ") || line == "+\r\n" {
		return
	}
	fields := strings.SplitN(line, " ", 3)
	if len(fields) >= 2 && (fields[1] == "OK" || fields[1] == "NO" || fields[1] == "BAD") {
		return
	}
	// A line inside a literal (message bytes) is fine; anything else is not.
	if bytes.Contains(input, []byte("FETCH")) || bytes.Contains(input, []byte("fetch")) {
		return
	}
	t.Fatalf("malformed response line %q for input %q", line, input)
}
