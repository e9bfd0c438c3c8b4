package imap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strconv"
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
		"A1 ENABLE QRESYNC\r\nA2 SELECT INBOX (QRESYNC (1 1 1:5 (1:2 1:2)))\r\n", "A1 SELECT INBOX (CONDSTORE)\r\n",
		"A1 EXAMINE INBOX (QRESYNC (1 2 1,3:4))\r\n", "A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n",
		"A1 STORE 1 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)\r\n", "A1 SEARCH MODSEQ \"/flags/\\\\seen\" all 1\r\n",
		"A1 CLIENTID\r\nA2 CLIENTID \"x\"\r\n", "A1 CLIENTID {3+}\r\nabc\r\n", "A1 STATE\r\nA2 ENABLE QRESYNC\r\nA3 SAVESTATE\r\n",
		"A1 STATE c3RhdGUgdG9rZW4=\r\n", "A1 SAVESTATE x\r\n",
		// CONDSTORE and QRESYNC (RFC 7162) and the seed draft's QRESYNC form.
		"A1 ENABLE QRESYNC\r\nA2 SELECT INBOX (QRESYNC (1 1 1:3 (1:2 1:2)))\r\n", "A1 EXAMINE INBOX (QRESYNC (1 2 1,3:5) CONDSTORE)\r\n",
		"A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n", "A1 STORE 1 (UNCHANGEDSINCE 5) +FLAGS.SILENT (\\Deleted)\r\n",
		"A1 SEARCH RETURN (MIN MAX) MODSEQ \"/flags/\\\\draft\" all 1\r\n",
	} {
		for state := range 3 {
			f.Add(uint8(state), []byte(s))
		}
	}
	e := newTestEnv(f)
	e.deliver("", message(1), message(2), message(3))
	// Inputs with failing logins would otherwise slow and then lock out
	// the fuzzer's address; the limiter has tests of its own.
	e.store.LoginLimiter().SetDelayUnit(0)
	loopback := netip.MustParseAddr("127.0.0.1")
	f.Fuzz(func(t *testing.T, state uint8, input []byte) {
		e.store.LoginLimiter().Succeeded(loopback)
		nc, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		r := bufio.NewReader(nc)
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		// The input may leave the server waiting for more: literal data
		// (which swallows the sentinel's bytes), IDLE's DONE, or SASL
		// responses (which swallow whole lines). So sentinels go one at a
		// time, each with a few seconds to be answered, and an answer to
		// any of them shows the session is alive; none at all is only
		// acceptable when a literal was announced (it may be waiting for
		// up to its size in bytes).
		literalPending := bytes.Contains(input, []byte("}"))
		readUntil := func(tag string) (closed bool) {
			for {
				line, err := readResponse(r)
				if err == io.EOF || err != nil && strings.Contains(err.Error(), "reset") {
					return true
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() && strings.HasPrefix(tag, "Z") && tag != "Z1" && tag != "Z2" {
					return false
				}
				if err != nil {
					t.Fatalf("reading: %v (input %q)", err, input)
				}
				checkResponseLine(t, line, input)
				if strings.HasPrefix(line, "* BYE") {
					return true
				}
				if i := strings.IndexByte(line, ' '); i > 0 && strings.HasPrefix(line[:i], "ZZ") {
					return true // a sentinel's answer
				}
				if strings.HasPrefix(line, tag+" ") {
					return false
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
		answered := false
		for i := range 4 {
			// On a fresh line, so a half-sent command ends first.
			fmt.Fprintf(nc, "\r\nZZ%d NOOP\r\n", i)
			nc.SetReadDeadline(time.Now().Add(time.Second))
			if readUntil("ZZ") {
				answered = true
				break
			}
		}
		if !answered && !literalPending {
			t.Fatalf("session stopped answering after %q", input)
		}
		if strings.Contains(e.logs.String(), "panic") {
			t.Fatalf("server panicked on %q:\n%s", input, e.logs.String())
		}
	})
}

// readResponse reads one response as a client does: a line, and when it
// ends with a literal's size, that many bytes and the rest of the line.
func readResponse(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		m := literalAtEnd.FindStringSubmatch(line)
		if m == nil {
			return b.String(), nil
		}
		n, _ := strconv.Atoi(m[1])
		if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
			return b.String(), err
		}
		b.WriteString("<literal>")
	}
}

var literalAtEnd = regexp.MustCompile(`~?\{(\d+)\}\r\n$`)

// checkResponseLine checks one response is well formed: untagged, a
// continuation request, or tagged OK/NO/BAD.
func checkResponseLine(t *testing.T, line string, input []byte) {
	t.Helper()
	if strings.HasPrefix(line, "* ") || strings.HasPrefix(line, "+ ") || line == "+\r\n" {
		return
	}
	fields := strings.SplitN(line, " ", 3)
	if len(fields) >= 2 && (fields[1] == "OK" || fields[1] == "NO" || fields[1] == "BAD") {
		return
	}
	t.Fatalf("malformed response %q for input %q", line, input)
}
