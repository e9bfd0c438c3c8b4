package smtp

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// FuzzSession plays command streams decoded from the input against a live
// session, in either role, and checks three properties:
//
//   - every line the server sends is a well-formed reply, and no reply
//     reports a recovered panic;
//   - the session ends with a reply that ends it (221, or 500 for a line
//     too long or too many errors) and a clean close, never silently;
//   - the store holds exactly the messages acknowledged: the ids of the
//     250 replies after DATA/BDAT are the ids in the Received headers of
//     the new messages, and no account got one transaction twice.
func FuzzSession(f *testing.F) {
	e := newEnvConfig(f, func(c *Config) {
		c.MaxMessageBytes = 4096
		c.MaxRecipients = 5
		c.MaxConnectionsPerIP = 1000
		c.ReadTimeout = 10 * time.Second
	})
	for _, seed := range [][]byte{
		{0, 0, 2, 0, 0, 3, 0, 4, 10, 0},                       // SMTP: EHLO, MAIL, RCPT alice, DATA
		{1, 0, 2, 0, 0, 3, 0, 3, 2, 3, 3, 4, 20, 1},           // LMTP: three recipients, CRLF body
		{0, 0, 2, 1, 0, 3, 1, 5, 30, 0, 5, 10, 1},             // SMTP: BDAT, BDAT LAST
		{1, 0, 2, 0, 0, 3, 0, 3, 4, 5, 100, 1, 6, 7, 9},       // LMTP: unknown rcpt, BDAT LAST, RSET, long line
		{0, 8, 4, 0xff, 0, 'X', 'Y', 8, 0, 8, 1, 'a', 8, 0},   // garbage until too many errors
		{0, 0, 2, 2, 4, 3, 6, 4, 200, 2},                      // SMTPUTF8, oversized DATA
		{1, 0, 2, 0, 1, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0},   // too many recipients
		{0, 0, 2, 0, 0, 3, 0, 2, 0, 0, 4, 1, 0, 1, 10, 4, 10}, // nested MAIL, HELO again, STARTTLS
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		e := *e // the same server and store, reporting to t
		e.t = t
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("session took %v", d)
			}
		}()
		before := e.allMessages(t)
		h := newHarness(t, &e, data[0]&1 == 1)
		h.play(data[1:])
		e.checkStore(t, before, h)
	})
}

// harness is the client side of one fuzzed session, with a model of the
// state go-smtp keeps, to know how many replies each command gets.
type harness struct {
	t        *testing.T
	lmtp     bool
	conn     net.Conn
	replies  chan string // last line of each reply
	ended    chan error  // the reader's final error, after replies closes
	log      strings.Builder
	acked    map[string]bool
	mailOK   bool
	rcpts    int
	bdatSize int
	maxBytes int
	last     string
}

func newHarness(t *testing.T, e *env, lmtp bool) *harness {
	addr := e.smtpAddr
	if lmtp {
		addr = e.lmtpAddr
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	h := &harness{t: t, lmtp: lmtp, conn: c, replies: make(chan string, 64), ended: make(chan error, 1),
		acked: map[string]bool{}, maxBytes: int(e.srv.cfg.MaxMessageBytes)}
	go h.read()
	return h
}

var replyLineRE = regexp.MustCompile(`^[2-5][0-9][0-9][ -]`)

// read parses the server's output into replies until the connection ends.
func (h *harness) read() {
	defer close(h.replies)
	r := bufio.NewReader(h.conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if line != "" {
				err = fmt.Errorf("partial line %q at the end", line)
			}
			h.ended <- err
			return
		}
		line = strings.TrimSuffix(line, "\n")
		if !strings.HasSuffix(line, "\r") || !replyLineRE.MatchString(line) {
			h.ended <- fmt.Errorf("malformed reply line %q", line)
			return
		}
		line = strings.TrimSuffix(line, "\r")
		if strings.Contains(line, "Internal server error") {
			h.ended <- fmt.Errorf("panic reported: %q", line)
			return
		}
		if line[3] == ' ' {
			h.replies <- line
		}
	}
}

// fail reports a broken property with the transcript so far.
func (h *harness) fail(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("%s\ntranscript:\n%s", fmt.Sprintf(format, args...), h.log.String())
}

// exchange sends b and waits for n replies. It returns the replies, and
// false once the server has closed the connection.
func (h *harness) exchange(b string, n int) ([]string, bool) {
	h.t.Helper()
	if b != "" {
		fmt.Fprintf(&h.log, "C: %.200q\n", b)
		h.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		// A failed write means the server closed first: the replies it
		// sent before, then the end, are read below.
		h.conn.Write([]byte(b))
	}
	var got []string
	timeout := time.After(15 * time.Second)
	for len(got) < n {
		select {
		case line, ok := <-h.replies:
			if !ok {
				return got, false
			}
			fmt.Fprintf(&h.log, "S: %.200q\n", line)
			h.last = line
			got = append(got, line)
			if m := deliveredRE.FindStringSubmatch(line); m != nil {
				h.acked[m[1]] = true
			}
		case <-timeout:
			h.fail("no reply after 15s (want %d, got %d)", n, len(got))
		}
	}
	return got, true
}

var deliveredRE = regexp.MustCompile(`^250 2\.0\.0 (?:<[^>]*> )?Ok: delivered as ([a-z2-7]+)$`)

func (h *harness) resetModel() { h.mailOK, h.rcpts, h.bdatSize = false, 0, 0 }

// stream hands out the fuzz input.
type stream struct{ b []byte }

func (s *stream) next() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *stream) take(n int) []byte {
	n = min(n, len(s.b))
	out := s.b[:n]
	s.b = s.b[n:]
	return out
}

var (
	fuzzSenders = []string{"sender@example.net", "", "δοκιμή@example.net", "bad\x00@example.net", "a@b", "@x:y@z"}
	fuzzParams  = []string{"", " SIZE=100", " SIZE=999999", " BODY=8BITMIME", " SMTPUTF8", " BODY=BINARYMIME", " FOO=1", " SIZE=x"}
	fuzzRcpts   = []string{"alice@example.org", "alice+tag@example.org", "team@example.org", "ALICE@Example.ORG",
		"nobody@example.org", "x@elsewhere.example", "josé@example.org", "", "postmaster", "al\x00ice@example.org", "bob@example.org"}
	// Raw lines must not start a command that changes the state the model
	// follows or reads data.
	fuzzStateful = []string{"DATA", "BDAT", "STARTTLS", "QUIT", "AUTH", "EHLO", "HELO", "LHLO", "RSET", "MAIL", "RCPT"}
)

func (h *harness) play(data []byte) {
	s := &stream{b: data}
	if got, ok := h.exchange("", 1); !ok || !strings.HasPrefix(got[0], "220 ") {
		h.fail("no greeting")
	}
	open := true
	for open && len(s.b) > 0 {
		open = h.step(s)
	}
	if open {
		// The reply is checked below: it may also be the one that ended
		// the session just before.
		h.exchange("QUIT\r\n", 1)
	}
	// The server must close now, and only after a reply that ends a session.
	if _, ok := h.exchange("", 1<<30); ok {
		h.fail("connection still open")
	}
	if err := <-h.ended; err != nil && !isConnReset(err) {
		h.fail("reading replies: %v", err)
	}
	if !strings.HasPrefix(h.last, "221 ") && !strings.HasPrefix(h.last, "500 5.5.1 Too many errors") && !strings.HasPrefix(h.last, "500 5.4.0 ") {
		h.fail("session ended after %q", h.last)
	}
}

func isConnReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "EOF")
}

// step plays one command and reports whether the connection is still open.
func (h *harness) step(s *stream) bool {
	hello, other := "EHLO", "HELO"
	if h.lmtp {
		hello, other = "LHLO", "EHLO"
	}
	switch op := s.next() % 11; op {
	case 0, 1: // greeting, the right or the wrong one
		cmd := hello
		if op == 1 {
			cmd = other
		}
		got, ok := h.exchange(cmd+" fuzz.example.net\r\n", 1)
		if ok && strings.HasPrefix(got[0], "250") {
			h.resetModel()
		}
		return ok
	case 2: // MAIL
		from := fuzzSenders[int(s.next())%len(fuzzSenders)]
		param := fuzzParams[int(s.next())%len(fuzzParams)]
		got, ok := h.exchange("MAIL FROM:<"+from+">"+param+"\r\n", 1)
		if ok && strings.HasPrefix(got[0], "250") {
			h.mailOK = true
		}
		return ok
	case 3: // RCPT
		to := fuzzRcpts[int(s.next())%len(fuzzRcpts)]
		got, ok := h.exchange("RCPT TO:<"+to+">\r\n", 1)
		if ok && strings.HasPrefix(got[0], "250") {
			h.rcpts++
		}
		return ok
	case 4: // DATA with a body
		body := bytes.ReplaceAll(s.take(int(s.next())*4), []byte("\r"), nil)
		flags := s.next()
		if flags&1 != 0 {
			body = bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n"))
		}
		if flags&2 != 0 {
			body = append(body, bytes.Repeat([]byte("0123456789abcdef\r\n"), h.maxBytes/18+1)...)
		}
		got, ok := h.exchange("DATA\r\n", 1)
		if !ok || !strings.HasPrefix(got[0], "354") {
			return ok
		}
		n := 1
		if h.lmtp {
			n = h.rcpts
		}
		h.resetModel()
		_, ok = h.exchange(dotStuff(body), n)
		return ok
	case 5: // BDAT
		size := int(s.next()) * 20
		last := s.next()&1 == 1
		chunk := s.take(size)
		chunk = append(chunk, bytes.Repeat([]byte("x"), size-len(chunk))...)
		cmd := "BDAT " + strconv.Itoa(size)
		if last {
			cmd += " LAST"
		}
		n := 1
		switch {
		case !h.mailOK || h.rcpts == 0:
		case h.bdatSize+size > h.maxBytes:
			h.resetModel()
		case last:
			if h.lmtp {
				n = h.rcpts
			}
			h.resetModel()
		default:
			h.bdatSize += size
		}
		_, ok := h.exchange(cmd+"\r\n"+string(chunk), n)
		return ok
	case 6:
		_, ok := h.exchange("RSET\r\n", 1)
		h.resetModel()
		return ok
	case 7:
		_, ok := h.exchange([]string{"NOOP\r\n", "VRFY alice\r\n", "EXPN team\r\n", "HELP\r\n"}[s.next()%4], 1)
		return ok
	case 8: // a raw line
		line := string(bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, s.take(int(s.next()%64))))
		for _, p := range fuzzStateful {
			if len(line) >= len(p) && strings.EqualFold(line[:len(p)], p) {
				line = "X" + line
			}
		}
		_, ok := h.exchange(line+"\r\n", 1)
		return ok
	case 9: // a line over the limit ends the session
		_, ok := h.exchange("NOOP "+strings.Repeat("x", 2100)+"\r\n", 1)
		return ok
	default:
		_, ok := h.exchange("STARTTLS\r\n", 1) // not configured: refused
		return ok
	}
}

// dotStuff makes body DATA content, as a client does: a dot at the start
// of a line is doubled, and the end-of-data line follows.
func dotStuff(body []byte) string {
	var b strings.Builder
	atLineStart := true
	for i, c := range body {
		if atLineStart && c == '.' {
			b.WriteByte('.')
		}
		b.WriteByte(c)
		atLineStart = c == '\n' && i > 0 && body[i-1] == '\r'
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	b.WriteString(".\r\n")
	return b.String()
}

// allMessages returns the messages of both accounts.
func (e *env) allMessages(t *testing.T) map[storage.AccountID][]*storage.Message {
	return map[storage.AccountID][]*storage.Message{e.alice.ID: e.inbox(e.alice), e.bob.ID: e.inbox(e.bob)}
}

// checkStore compares the messages that arrived with the ones acknowledged.
func (e *env) checkStore(t *testing.T, before map[storage.AccountID][]*storage.Message, h *harness) {
	stored := map[string]bool{}
	for acct, msgs := range e.allMessages(t) {
		perAccount := map[string]bool{}
		for _, m := range msgs[len(before[acct]):] {
			_, _, id, _ := splitTrace(t, e.body(m))
			if perAccount[id] {
				h.fail("account %d got transaction %s twice", acct, id)
			}
			perAccount[id] = true
			stored[id] = true
		}
	}
	for id := range h.acked {
		if !stored[id] {
			h.fail("transaction %s acknowledged but not stored", id)
		}
	}
	for id := range stored {
		if !h.acked[id] {
			h.fail("transaction %s stored but not acknowledged", id)
		}
	}
}
