package imap

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"zest/smtp"
	"zest/storage"
)

// Tests of MONOINCUID (draft-maes-lemonade-monoincuid-01, spec MU): UIDs
// that only grow, the capability, the [MONOINCUID] code on SELECT and
// EXAMINE, and the MONOINCUID STATUS item.

// appendMsg appends raw to mailbox with a non-synchronising literal and
// returns the tagged response.
func appendMsg(r *rawConn, tag, mailbox string, raw []byte) string {
	r.t.Helper()
	r.send(fmt.Sprintf("%s APPEND %s {%d+}", tag, mailbox, len(raw)))
	r.write(string(raw) + "\r\n")
	_, tagged := fetchResponses(r, tag)
	return tagged
}

var appendUIDRE = regexp.MustCompile(`^\S+ OK \[APPENDUID (\d+) (\d+)\] `)

// appendUID appends raw and returns the UIDVALIDITY and UID of APPENDUID.
func appendUID(r *rawConn, mailbox string, raw []byte) (uint32, uint32) {
	r.t.Helper()
	tagged := appendMsg(r, "A", mailbox, raw)
	m := appendUIDRE.FindStringSubmatch(tagged)
	if m == nil {
		r.t.Fatalf("APPEND to %s: %q, want OK [APPENDUID ...]", mailbox, tagged)
	}
	uv, _ := strconv.ParseUint(m[1], 10, 32)
	uid, _ := strconv.ParseUint(m[2], 10, 32)
	return uint32(uv), uint32(uid)
}

// status runs STATUS and returns its one untagged response.
func status(r *rawConn, mailbox, items string) string {
	r.t.Helper()
	r.send("T STATUS " + mailbox + " (" + items + ")")
	lines := r.untilTagged("T OK STATUS completed")
	if len(lines) != 1 {
		r.t.Fatalf("STATUS %s (%s): %q, want one STATUS response", mailbox, items, lines)
	}
	return lines[0]
}

// statusNumber reads one numeric item of a STATUS response.
func statusNumber(r *rawConn, mailbox, item string) uint64 {
	r.t.Helper()
	l := status(r, mailbox, item)
	m := regexp.MustCompile(` \(` + item + ` (\d+)\)$`).FindStringSubmatch(l)
	if m == nil {
		r.t.Fatalf("STATUS %s (%s): %q", mailbox, item, l)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

// run sends one command and returns its untagged responses and the tagged one.
func run(r *rawConn, tag, cmd string) ([]string, string) {
	r.t.Helper()
	r.send(tag + " " + cmd)
	return fetchResponses(r, tag)
}

// withPrefix returns the lines that start with prefix.
func withPrefix(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// subjects reads the Subject of each message of a mailbox, in UID order,
// with its UID ("3:message 5").
func (e *testEnv) subjects(mailbox string) []string {
	e.t.Helper()
	ctx := context.Background()
	mb, err := e.store.MailboxByName(ctx, e.alice.ID, mailbox)
	if err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.store.Messages(ctx, e.alice.ID, mb.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		_, raw := e.stored(mailbox, m.UID)
		subj := regexp.MustCompile(`(?m)^Subject: (.*)\r$`).FindSubmatch(raw)
		if subj == nil {
			e.t.Fatalf("%s UID %d has no subject", mailbox, m.UID)
		}
		out = append(out, fmt.Sprintf("%d:%s", m.UID, subj[1]))
	}
	return out
}

// TestMonoincuidDraftExamples replays the draft's own examples.
//
// spec: MU-01, MU-02, MU-11, MU-16, MU-18, MU-22, MU-24
func TestMonoincuidDraftExamples(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	for i, flags := range [][]string{{`\Seen`}, {`\Seen`}, nil} {
		res, err := e.store.Deliver(ctx, storage.Incoming{Raw: message(i + 1)}, []storage.Target{{Account: e.alice.ID, Flags: flags}})
		if err != nil || res[0].Err != nil {
			t.Fatal(err, res)
		}
		e.srv.recent.claim(res[0].MailboxID, res[0].UID, res[0].UID)
	}
	replayTranscript(t, e, "testdata/monoincuid-draft.txt")
}

// capabilityLists returns every capability list in lines: CAPABILITY
// responses and [CAPABILITY ...] codes.
func capabilityLists(lines ...string) [][]string {
	var out [][]string
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "* CAPABILITY "); ok {
			out = append(out, strings.Fields(rest))
		} else if _, rest, ok := strings.Cut(l, "[CAPABILITY "); ok {
			list, _, _ := strings.Cut(rest, "]")
			out = append(out, strings.Fields(list))
		}
	}
	return out
}

// TestMonoincuidCapability: MONOINCUID is in the greeting's capability
// code, in CAPABILITY before login, after LOGIN and AUTHENTICATE, and when
// a mailbox is selected; CAPABILITY works in every state and takes no
// arguments.
//
// spec: MU-01, MU-02
func TestMonoincuidCapability(t *testing.T) {
	e := newTestEnv(t)
	nc, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := &rawConn{t: t, nc: nc, r: bufio.NewReader(nc)}
	check := func(what string, lines ...string) {
		t.Helper()
		lists := capabilityLists(lines...)
		if len(lists) != 1 {
			t.Errorf("%s: %d capability lists in %q, want 1", what, len(lists), lines)
			return
		}
		if !slices.Contains(lists[0], "MONOINCUID") {
			t.Errorf("%s: MONOINCUID missing from %q", what, lists[0])
		}
	}
	greeting := r.line()
	if !strings.HasPrefix(greeting, "* OK [CAPABILITY ") {
		t.Fatalf("greeting %q", greeting)
	}
	check("greeting", greeting)
	r.send("C0 CAPABILITY")
	check("CAPABILITY before login", r.untilTagged("C0 OK CAPABILITY completed")...)
	r.send("C1 CAPABILITY MONOINCUID")
	r.expect("C1 BAD")
	r.send(`L LOGIN alice@example.org "alice password"`)
	check("LOGIN", r.untilTagged("L OK")...)
	r.send("C2 CAPABILITY")
	check("CAPABILITY after login", r.untilTagged("C2 OK CAPABILITY completed")...)
	r.send("S EXAMINE INBOX")
	r.untilTagged("S OK")
	r.send("C3 CAPABILITY")
	check("CAPABILITY in the selected state", r.untilTagged("C3 OK CAPABILITY completed")...)
	r.send("C4 CAPABILITY ()")
	r.expect("C4 BAD")

	a := e.raw()
	a.send("A AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlIHBhc3N3b3Jk")
	check("AUTHENTICATE", a.untilTagged("A OK")...)
}

// TestMonoincuidUIDsNeverReused is the spec's first test idea: append 3,
// expunge the last two, append one more: it gets UID 4, and STATUS says
// UIDNEXT 5 MONOINCUID 1.
//
// spec: MU-03, MU-05, MU-10, MU-22
func TestMonoincuidUIDsNeverReused(t *testing.T) {
	e := newTestEnv(t)
	uv := e.uidValidity("INBOX")
	r := e.rawLoggedIn()
	for i := 1; i <= 3; i++ {
		if got, want := appendMsg(r, "A", "INBOX", message(i)), fmt.Sprintf("A OK [APPENDUID %d %d] APPEND completed", uv, i); got != want {
			t.Fatalf("append %d: %q, want %q", i, got, want)
		}
	}
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	r.send(`D UID STORE 2:3 +FLAGS.SILENT (\Deleted)`)
	r.untilTagged("D OK")
	r.send("X EXPUNGE")
	wantLines(t, "EXPUNGE", r.untilTagged("X OK"), "* 3 EXPUNGE", "* 2 EXPUNGE")
	if got, want := appendMsg(r, "A", "INBOX", message(4)), fmt.Sprintf("A OK [APPENDUID %d 4] APPEND completed", uv); got != want {
		t.Errorf("append after expunging UIDs 2 and 3: %q, want %q", got, want)
	}
	if got, want := status(r, "INBOX", "UIDNEXT MONOINCUID"), "* STATUS INBOX (UIDNEXT 5 MONOINCUID 1)"; got != want {
		t.Errorf("STATUS: %q, want %q", got, want)
	}
	r.send("F UID FETCH 1:* (UID)")
	wantLines(t, "UID FETCH", r.untilTagged("F OK"), "* 1 FETCH (UID 1)", "* 2 FETCH (UID 4)")
}

// TestMonoincuidUIDNextOnlyGrowsWithMessages: UIDNEXT (STATUS and the
// [UIDNEXT] code) moves exactly when a message is added, by any way in,
// even when the message is expunged again at once, and at no other time.
//
// spec: MU-10, MU-11, MU-04
func TestMonoincuidUIDNextOnlyGrowsWithMessages(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	r := e.rawLoggedIn()
	other := e.rawLoggedIn()
	want := uint64(3)
	msg := "Subject: x\r\n\r\nhi\r\n"
	check := func(what string) {
		t.Helper()
		if got := statusNumber(other, "INBOX", "UIDNEXT"); got != want {
			t.Errorf("after %s: UIDNEXT %d, want %d", what, got, want)
		}
		lines, _ := run(other, "E", "EXAMINE INBOX")
		if codes := withPrefix(lines, "* OK [UIDNEXT "); len(codes) != 1 || !strings.HasPrefix(codes[0], fmt.Sprintf("* OK [UIDNEXT %d] ", want)) {
			t.Errorf("after %s: EXAMINE says %q, want [UIDNEXT %d]", what, codes, want)
		}
		other.send("U UNSELECT")
		other.untilTagged("U OK")
	}
	check("delivery")
	for _, step := range []struct {
		cmd   string
		added uint64
	}{
		{"SELECT INBOX", 0},
		{`STORE 1 +FLAGS (\Flagged)`, 0},
		{"FETCH 1:* (FLAGS UID)", 0},
		{"SEARCH ALL", 0},
		{"NOOP", 0},
		{"CREATE Keep", 0},
		{"COPY 1:2 Keep", 0},
		{"UNSUBSCRIBE INBOX", 0},
		{"SUBSCRIBE INBOX", 0},
		{"RENAME Keep Kept", 0},
		{`STORE 2 +FLAGS (\Deleted)`, 0},
		{"EXPUNGE", 0},
		{"CHECK", 0},
		{"APPEND Nope {1+}\r\nx", 0}, // TRYCREATE: nothing added
		{fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg), 1},
		{"SELECT Kept", 0},
		{"COPY 1:2 INBOX", 2},
		{"MOVE 1 INBOX", 1},
		{"CLOSE", 0},
		{"RENAME INBOX Moved", 0}, // INBOX's messages leave, its UIDNEXT stays
	} {
		r.send("X " + step.cmd)
		_, tagged := fetchResponses(r, "X")
		if !strings.HasPrefix(tagged, "X OK") && !strings.HasPrefix(tagged, "X NO [TRYCREATE]") {
			t.Fatalf("%s: %q", step.cmd, tagged)
		}
		want += step.added
		check(strings.Fields(step.cmd)[0])
	}
	// A message expunged right after it arrived still moved UIDNEXT on.
	st := e.deliver("", message(9))[0]
	if _, err := e.store.Expunge(context.Background(), e.alice.ID, st.MailboxID, []storage.UID{st.UID}); err != nil {
		t.Fatal(err)
	}
	want++
	check("delivery and expunge")
}

// serveAt runs an IMAP server over the store in dir, whose account alice
// it creates on first use; stop shuts server and store down, leaving dir
// for the next one.
func serveAt(t *testing.T, dir string) (e *testEnv, stop func()) {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(dir, storage.Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	e = &testEnv{t: t, store: st, logs: &syncBuffer{}}
	if e.alice, err = st.AccountByAddress(ctx, "alice@example.org"); err != nil {
		if e.alice, err = st.CreateAccount(ctx, "alice@example.org", "alice password"); err != nil {
			t.Fatal(err)
		}
	}
	e.srv = NewServer(st, Config{Hostname: "imap.zest.test", TLS: testTLSConfig(t), Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = l.Addr().String()
	go e.srv.Serve(l)
	return e, func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		e.srv.Shutdown(ctx)
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMonoincuidAcrossRestarts: UIDs, UIDVALIDITY and UIDNEXT carry on
// from where they were when the server restarts between appends, also
// after the highest UID was expunged; every message keeps its UID.
//
// spec: MU-05, MU-06, MU-03
func TestMonoincuidAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	var uv uint32
	var want []string // "uid:subject" of what INBOX holds
	for round := range 4 {
		e, stop := serveAt(t, dir)
		r := e.rawLoggedIn()
		if round > 0 {
			if got := status(r, "INBOX", "UIDVALIDITY UIDNEXT"); got != fmt.Sprintf("* STATUS INBOX (UIDVALIDITY %d UIDNEXT %d)", uv, 2*round+1) {
				t.Errorf("round %d after restart: %q, want UIDVALIDITY %d UIDNEXT %d", round, got, uv, 2*round+1)
			}
			if got := e.subjects("INBOX"); !slices.Equal(got, want) {
				t.Errorf("round %d after restart: INBOX holds %q, want %q", round, got, want)
			}
		}
		// Two appends a round; the second is expunged, so the highest UID
		// is gone at every restart.
		for i := range 2 {
			v, uid := appendUID(r, "INBOX", message(10*round+i))
			if round == 0 && i == 0 {
				uv = v
			}
			if v != uv || uid != uint32(2*round+i+1) {
				t.Errorf("round %d append %d: APPENDUID %d %d, want %d %d", round, i, v, uid, uv, 2*round+i+1)
			}
		}
		want = append(want, fmt.Sprintf("%d:message %d", 2*round+1, 10*round))
		r.send("S SELECT INBOX")
		r.untilTagged("S OK")
		r.send(fmt.Sprintf(`D UID STORE %d +FLAGS.SILENT (\Deleted)`, 2*round+2))
		r.untilTagged("D OK")
		r.send("X EXPUNGE")
		r.untilTagged("X OK")
		stop()
	}
}

// TestMonoincuidConcurrentAppendAndDelivery: 8 IMAP sessions APPEND while
// 4 LMTP clients deliver into the same INBOX; a session in IDLE fetches
// every message as EXISTS announces it. The UIDs it learns, in message
// number order, only grow and never repeat; each appender's APPENDUIDs
// grow too, and together with the deliveries they are exactly what INBOX
// holds.
//
// spec: MU-07, MU-08, MU-03, MU-04
func TestMonoincuidConcurrentAppendAndDelivery(t *testing.T) {
	e := newTestEnv(t)
	const appenders, deliverers, each = 8, 4, 15
	total := (appenders + deliverers) * each

	lmtp := smtp.NewServer(e.store, smtp.Config{Hostname: "mx.zest.test", Logger: slog.New(slog.DiscardHandler)})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go lmtp.ServeLMTP(l)
	t.Cleanup(func() { lmtp.Close() })

	w := e.rawLoggedIn()
	w.send("S SELECT INBOX")
	w.untilTagged("S OK")

	clients := make([]*rawConn, appenders)
	for i := range clients {
		clients[i] = e.rawLoggedIn()
	}
	var (
		mu       sync.Mutex
		appended []uint32
		wg       sync.WaitGroup
		errs     = make(chan error, appenders+deliverers)
	)
	for i, c := range clients {
		wg.Go(func() {
			var last uint32
			for j := range each {
				raw := message(1000*i + j)
				tagged, err := appendFrom(c.nc, c.r, raw)
				if err != nil {
					errs <- fmt.Errorf("appender %d: %v", i, err)
					return
				}
				m := appendUIDRE.FindStringSubmatch(tagged)
				if m == nil {
					errs <- fmt.Errorf("appender %d: %q", i, tagged)
					return
				}
				uid, _ := strconv.ParseUint(m[2], 10, 32)
				if uint32(uid) <= last {
					errs <- fmt.Errorf("appender %d: APPENDUID %d after %d", i, uid, last)
					return
				}
				last = uint32(uid)
				mu.Lock()
				appended = append(appended, last)
				mu.Unlock()
			}
		})
	}
	for i := range deliverers {
		wg.Go(func() {
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				errs <- err
				return
			}
			c := gosmtp.NewClientLMTP(conn)
			defer c.Close()
			if err := c.Hello("mta.example.org"); err != nil {
				errs <- err
				return
			}
			for j := range each {
				if err := deliverLMTP(c, message(100000+1000*i+j)); err != nil {
					errs <- fmt.Errorf("deliverer %d: %v", i, err)
					return
				}
			}
		})
	}

	// The watcher: IDLE until EXISTS, then FETCH the new message numbers.
	existsRE := regexp.MustCompile(`^\* (\d+) EXISTS$`)
	fetchRE := regexp.MustCompile(`^\* (\d+) FETCH \(UID (\d+)\)$`)
	var learned []uint32
	known, announced, rounds := 0, 0, 0
	note := func(lines []string) {
		for _, l := range lines {
			if m := existsRE.FindStringSubmatch(l); m != nil {
				n, _ := strconv.Atoi(m[1])
				if n < announced {
					t.Fatalf("EXISTS went down from %d to %d without an expunge", announced, n)
				}
				announced = n
			} else if strings.Contains(l, "EXPUNGE") {
				t.Fatalf("unexpected %q", l)
			}
		}
	}
	for ; known < total; rounds++ {
		w.send("I IDLE")
		for {
			l := w.line()
			if strings.HasPrefix(l, "+ ") {
				break
			}
			note([]string{l})
		}
		for announced == known {
			note([]string{w.line()})
		}
		w.send("DONE")
		note(w.untilTagged("I OK"))
		w.send(fmt.Sprintf("F FETCH %d:%d (UID)", known+1, announced))
		lines := w.untilTagged("F OK")
		note(lines)
		var got []uint32
		for _, l := range lines {
			m := fetchRE.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			seq, _ := strconv.Atoi(m[1])
			uid, _ := strconv.ParseUint(m[2], 10, 32)
			if seq != known+len(got)+1 {
				t.Fatalf("FETCH answered message %d, expected %d", seq, known+len(got)+1)
			}
			got = append(got, uint32(uid))
		}
		for _, uid := range got {
			if n := len(learned); n > 0 && uid <= learned[n-1] {
				t.Fatalf("message %d has UID %d, after UID %d: a message appeared below one already announced", n+1, uid, learned[n-1])
			}
			learned = append(learned, uid)
		}
		known += len(got)
		if known != len(learned) || len(got) == 0 {
			t.Fatalf("FETCH %d:%d answered %d messages", known-len(got)+1, announced, len(got))
		}
	}
	t.Logf("the watcher learned %d messages in %d rounds of IDLE and FETCH", known, rounds)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	mb, err := e.store.MailboxByName(context.Background(), e.alice.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := e.store.Messages(context.Background(), e.alice.ID, mb.ID)
	var stored []uint32
	for _, m := range msgs {
		stored = append(stored, uint32(m.UID))
	}
	if !slices.Equal(learned, stored) {
		t.Errorf("the watcher learned %d UIDs, INBOX holds %d: %v vs %v", len(learned), len(stored), learned, stored)
	}
	slices.Sort(appended)
	if len(slices.Compact(slices.Clone(appended))) != appenders*each {
		t.Errorf("APPENDUIDs %v are not %d distinct UIDs", appended, appenders*each)
	}
	for _, uid := range appended {
		if _, found := slices.BinarySearch(stored, uid); !found {
			t.Errorf("APPENDUID %d is not in INBOX", uid)
		}
	}
	if mb.UIDNext != storage.UID(stored[len(stored)-1]+1) {
		t.Errorf("UIDNEXT %d after %d messages, highest UID %d", mb.UIDNext, len(stored), stored[len(stored)-1])
	}
}

// appendFrom appends raw to INBOX on a logged-in connection without the
// testing helpers, which may not run outside the test's goroutine.
func appendFrom(nc net.Conn, r *bufio.Reader, raw []byte) (string, error) {
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(nc, "A APPEND INBOX {%d+}\r\n%s\r\n", len(raw), raw); err != nil {
		return "", err
	}
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(l, "A ") {
			return strings.TrimRight(l, "\r\n"), nil
		}
	}
}

// deliverLMTP sends one message to alice over LMTP.
func deliverLMTP(c *gosmtp.Client, raw []byte) error {
	if err := c.Mail("sender@example.net", nil); err != nil {
		return err
	}
	if err := c.Rcpt("alice@example.org", nil); err != nil {
		return err
	}
	wc, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := wc.Write(raw); err != nil {
		return err
	}
	_, err = wc.CloseWithLMTPResponse()
	return err
}

// TestMonoincuidDeleteAndCreate: a mailbox deleted and created again has
// a greater UIDVALIDITY, so the UIDs handed out again are not confused
// with the old ones.
//
// spec: MU-13
func TestMonoincuidDeleteAndCreate(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	r.send("C CREATE Work")
	r.untilTagged("C OK")
	uv1, uid := appendUID(r, "Work", message(1))
	appendUID(r, "Work", message(2))
	if uid != 1 {
		t.Fatalf("first UID %d", uid)
	}
	for range 2 {
		r.send("D DELETE Work")
		r.untilTagged("D OK")
		r.send("C CREATE Work")
		r.untilTagged("C OK")
		uv2 := uint32(statusNumber(r, "Work", "UIDVALIDITY"))
		if got := status(r, "Work", "UIDNEXT MESSAGES MONOINCUID"); got != "* STATUS Work (UIDNEXT 1 MESSAGES 0 MONOINCUID 1)" {
			t.Errorf("re-created Work: %q", got)
		}
		if uv2 <= uv1 {
			t.Errorf("re-created Work has UIDVALIDITY %d, not above the old %d", uv2, uv1)
		}
		if v, uid := appendUID(r, "Work", message(3)); v != uv2 || uid != 1 {
			t.Errorf("append to re-created Work: APPENDUID %d %d, want %d 1", v, uid, uv2)
		}
		uv1 = uv2
	}
}

// TestMonoincuidRenameKeepsUIDs: RENAME Work Archive keeps UIDVALIDITY,
// UIDNEXT and every UID, its child's too, and the next APPEND continues
// from the old UIDNEXT.
//
// spec: MU-14, MU-06
func TestMonoincuidRenameKeepsUIDs(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	r.send("C CREATE Work/2025")
	r.untilTagged("C OK")
	for i := range 3 {
		appendUID(r, "Work", message(i))
		appendUID(r, "Work/2025", message(10+i))
	}
	r.send("S SELECT Work")
	r.untilTagged("S OK")
	r.send(`D UID STORE 3 +FLAGS.SILENT (\Deleted)`)
	r.untilTagged("D OK")
	r.send("X CLOSE")
	r.untilTagged("X OK")
	const items = "UIDVALIDITY UIDNEXT MESSAGES MONOINCUID"
	before := map[string]string{"Work": status(r, "Work", items), "Work/2025": status(r, "Work/2025", items)}
	subjects := map[string][]string{"Work": e.subjects("Work"), "Work/2025": e.subjects("Work/2025")}

	r.send("D DELETE Archive") // a default mailbox; the spec's example uses its name
	r.untilTagged("D OK")
	r.send("R RENAME Work Archive")
	r.untilTagged("R OK")
	for from, to := range map[string]string{"Work": "Archive", "Work/2025": "Archive/2025"} {
		if got, want := status(r, to, items), strings.Replace(before[from], from, to, 1); got != want {
			t.Errorf("%s renamed to %s: %q, want %q", from, to, got, want)
		}
		if got := e.subjects(to); !slices.Equal(got, subjects[from]) {
			t.Errorf("%s renamed to %s holds %q, want %q", from, to, got, subjects[from])
		}
	}
	uv := e.uidValidity("Archive")
	if v, uid := appendUID(r, "Archive", message(9)); v != uv || uid != 4 {
		t.Errorf("append after rename: APPENDUID %d %d, want %d 4", v, uid, uv)
	}
}

// TestMonoincuidRenameInbox: RENAME INBOX moves the messages to a new
// mailbox with a fresh UIDVALIDITY, numbered in their old order with their
// flags; INBOX keeps its UIDVALIDITY and UIDNEXT, its sessions see the
// messages expunged, QRESYNC finds tombstones at a new mod-sequence, and
// the next message in INBOX gets a UID above all the old ones. INBOX's
// children stay.
//
// spec: MU-15, MU-03, MU-05
func TestMonoincuidRenameInbox(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.deliver("", message(1), message(2), message(3), message(4), message(5))
	r := e.rawLoggedIn()
	watcher := e.rawLoggedIn()
	r.send("C CREATE INBOX/Lists")
	r.untilTagged("C OK")
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	r.send(`F UID STORE 3 +FLAGS.SILENT (\Flagged)`)
	r.untilTagged("F OK")
	r.send(`D UID STORE 2,5 +FLAGS.SILENT (\Deleted)`)
	r.untilTagged("D OK")
	r.send("X EXPUNGE")
	r.untilTagged("X OK")
	watcher.send("S SELECT INBOX")
	watcher.untilTagged("S OK")
	inbox, err := e.store.MailboxByName(ctx, e.alice.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	before := e.subjects("INBOX")

	r.send("R RENAME inbox Old")
	wantLines(t, "RENAME in the session that has INBOX selected", r.untilTagged("R OK RENAME completed"),
		"* 3 EXPUNGE", "* 2 EXPUNGE", "* 1 EXPUNGE")
	watcher.send("N NOOP")
	wantLines(t, "NOOP in another session on INBOX", watcher.untilTagged("N OK"),
		"* 3 EXPUNGE", "* 2 EXPUNGE", "* 1 EXPUNGE")

	if got, want := status(r, "INBOX", "UIDVALIDITY UIDNEXT MESSAGES MONOINCUID"), fmt.Sprintf("* STATUS INBOX (UIDVALIDITY %d UIDNEXT 6 MESSAGES 0 MONOINCUID 1)", inbox.UIDValidity); got != want {
		t.Errorf("INBOX after RENAME: %q, want %q", got, want)
	}
	olduv := uint32(statusNumber(r, "Old", "UIDVALIDITY"))
	if olduv <= inbox.UIDValidity {
		t.Errorf("the new mailbox has UIDVALIDITY %d, not above INBOX's %d", olduv, inbox.UIDValidity)
	}
	if got := status(r, "Old", "UIDNEXT MESSAGES MONOINCUID"); got != "* STATUS Old (UIDNEXT 4 MESSAGES 3 MONOINCUID 1)" {
		t.Errorf("Old: %q", got)
	}
	var want []string
	for i, s := range before {
		_, subj, _ := strings.Cut(s, ":")
		want = append(want, fmt.Sprintf("%d:%s", i+1, subj))
	}
	if got := e.subjects("Old"); !slices.Equal(got, want) {
		t.Errorf("Old holds %q, want %q (INBOX held %q)", got, want, before)
	}
	r.send("E EXAMINE Old")
	r.untilTagged("E OK")
	r.send("F UID FETCH 2 (FLAGS)")
	// No session saw them in Old yet, so they are \Recent there.
	wantLines(t, "flags kept", r.untilTagged("F OK"), `* 2 FETCH (UID 2 FLAGS (\Flagged \Recent))`)

	// QRESYNC sees the moved messages as expunged at one new mod-sequence.
	after, _ := e.store.Mailbox(ctx, e.alice.ID, inbox.ID)
	ch, err := e.store.ChangesSince(ctx, e.alice.ID, inbox.ID, inbox.HighestModSeq)
	if err != nil {
		t.Fatal(err)
	}
	if after.HighestModSeq != inbox.HighestModSeq+1 || !slices.Equal(ch.Vanished, []storage.UID{1, 3, 4}) || len(ch.Changed) != 0 {
		t.Errorf("INBOX HIGHESTMODSEQ %d -> %d, vanished %v, changed %d", inbox.HighestModSeq, after.HighestModSeq, ch.Vanished, len(ch.Changed))
	}

	if v, uid := appendUID(r, "INBOX", message(6)); v != inbox.UIDValidity || uid != 6 {
		t.Errorf("append to INBOX after RENAME: APPENDUID %d %d, want %d 6", v, uid, inbox.UIDValidity)
	}
	watcher.send("N NOOP")
	if got := watcher.untilTagged("N OK"); !slices.Contains(got, "* 1 EXISTS") {
		t.Errorf("the INBOX session was not told of the new message: %q", got)
	}
	watcher.send("F FETCH 1 (UID)")
	wantLines(t, "new message in INBOX", watcher.untilTagged("F OK"), "* 1 FETCH (UID 6)")

	r.send(`L LIST "" "*"`)
	lines := r.untilTagged("L OK")
	if !slices.Contains(lines, `* LIST (\HasNoChildren) "/" INBOX/Lists`) || slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "Old/Lists") }) {
		t.Errorf("INBOX's child did not stay: %q", lines)
	}
	r.send("R RENAME INBOX Old")
	r.expect("R NO [ALREADYEXISTS]")
}

// TestMonoincuidCopyOrder: COPY and MOVE number the copies in the order
// of the source UIDs, whatever order the set was written in, so COPYUID's
// two sets pair up.
//
// spec: MU-09
func TestMonoincuidCopyOrder(t *testing.T) {
	e := newTestEnv(t)
	for i := 1; i <= 8; i++ {
		e.deliver("", message(i))
	}
	r := e.rawLoggedIn()
	r.send("C CREATE Dest")
	r.untilTagged("C OK")
	dv := e.uidValidity("Dest")
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	r.send("C UID COPY 7,3,5 Dest")
	wantLines(t, "UID COPY", r.untilTagged(fmt.Sprintf("C OK [COPYUID %d 3,5,7 1:3] UID COPY completed", dv)))
	r.send("M UID MOVE 6,2,4 Dest")
	wantLines(t, "UID MOVE", r.untilTagged("M OK UID MOVE completed"),
		fmt.Sprintf("* OK [COPYUID %d 2,4,6 4:6] moved", dv), "* 6 EXPUNGE", "* 4 EXPUNGE", "* 2 EXPUNGE")
	// INBOX now holds UIDs 1,3,5,7,8: message 3 is UID 5.
	r.send("C COPY 3,1 Dest")
	wantLines(t, "COPY", r.untilTagged(fmt.Sprintf("C OK [COPYUID %d 1,5 7:8] COPY completed", dv)))
	want := []string{"1:message 3", "2:message 5", "3:message 7", "4:message 2", "5:message 4", "6:message 6", "7:message 1", "8:message 5"}
	if got := e.subjects("Dest"); !slices.Equal(got, want) {
		t.Errorf("Dest holds %q, want %q", got, want)
	}
}

// TestMonoincuidStatus: the MONOINCUID STATUS item alone and mixed with
// others in any order and case, the answer's form, the tagged OK; NO
// [NONEXISTENT] for a mailbox that does not exist, the same for another
// account's mailbox; BAD for an unknown item.
//
// spec: MU-22, MU-23, MU-24, MU-25
func TestMonoincuidStatus(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	uv := e.uidValidity("INBOX")
	bob, err := e.store.CreateAccount(context.Background(), "bob@example.org", "bob password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateMailbox(context.Background(), bob.ID, "Secret"); err != nil {
		t.Fatal(err)
	}
	r := e.rawLoggedIn()
	for _, c := range []struct{ cmd, want string }{
		{"STATUS INBOX (MONOINCUID UIDVALIDITY)", fmt.Sprintf("* STATUS INBOX (MONOINCUID 1 UIDVALIDITY %d)", uv)},
		{"STATUS INBOX (MONOINCUID)", "* STATUS INBOX (MONOINCUID 1)"},
		{"status inbox (uidnext monoincuid messages)", "* STATUS INBOX (UIDNEXT 3 MONOINCUID 1 MESSAGES 2)"},
		{`STATUS "INBOX" (MESSAGES UNSEEN MonoIncUID)`, "* STATUS INBOX (MESSAGES 2 UNSEEN 2 MONOINCUID 1)"},
		{"STATUS Trash (MONOINCUID UIDNEXT)", "* STATUS Trash (MONOINCUID 1 UIDNEXT 1)"},
	} {
		r.send("A " + c.cmd)
		wantLines(t, c.cmd, r.untilTagged("A OK STATUS completed"), c.want)
	}
	// Selected or not, the answer is the same.
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	r.send("A STATUS INBOX (MONOINCUID)")
	wantLines(t, "STATUS of the selected mailbox", r.untilTagged("A OK STATUS completed"), "* STATUS INBOX (MONOINCUID 1)")

	_, missing := run(r, "N", "STATUS nosuch (MONOINCUID)")
	if missing != "N NO [NONEXISTENT] no such mailbox" {
		t.Errorf("STATUS of a missing mailbox: %q", missing)
	}
	lines, other := run(r, "N", "STATUS Secret (MONOINCUID)")
	if other != missing || len(lines) != 0 {
		t.Errorf("STATUS of another account's mailbox: %q %q, want what a missing one gets: %q", lines, other, missing)
	}
	for _, cmd := range []string{
		"STATUS INBOX (BOGUS)",
		"STATUS INBOX (MONOINCUID 1)",
		"STATUS INBOX MONOINCUID",
		"STATUS INBOX (MONOINCUID",
		"STATUS nosuch (BOGUS)",
	} {
		lines, tagged := run(r, "B", cmd)
		if !strings.HasPrefix(tagged, "B BAD ") || len(lines) != 0 {
			t.Errorf("%s: %q %q, want BAD alone", cmd, lines, tagged)
		}
	}
}

// TestMonoincuidListStatus: LIST ... RETURN (STATUS (MONOINCUID)) answers
// MONOINCUID 1 after every mailbox's LIST line.
//
// spec: MU-26, MU-23
func TestMonoincuidListStatus(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1))
	r := e.rawLoggedIn()
	r.send("C CREATE Work/2025")
	r.untilTagged("C OK")
	r.send(`L LIST "" "*" RETURN (STATUS (MONOINCUID UIDNEXT))`)
	lines := r.untilTagged("L OK")
	boxes, err := e.store.Mailboxes(context.Background(), e.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2*len(boxes) {
		t.Fatalf("%d lines for %d mailboxes: %q", len(lines), len(boxes), lines)
	}
	for i, mb := range boxes {
		list, st := lines[2*i], lines[2*i+1]
		if !strings.HasSuffix(list, `"/" `+mb.Name) {
			t.Errorf("line %d: %q, want the LIST line of %s", 2*i, list, mb.Name)
		}
		if want := fmt.Sprintf("* STATUS %s (MONOINCUID 1 UIDNEXT %d)", mb.Name, mb.UIDNext); st != want {
			t.Errorf("after %q: %q, want %q", list, st, want)
		}
	}
	r.send(`L LIST "" "INBOX" RETURN (STATUS (monoincuid))`)
	wantLines(t, "LIST-STATUS in lower case", r.untilTagged("L OK"), `* LIST (\HasNoChildren) "/" INBOX`, "* STATUS INBOX (MONOINCUID 1)")
}

// monoincuidCode matches the [MONOINCUID] response: the code has no
// argument and, as resp-text requires, is followed by a space and text.
var monoincuidCode = regexp.MustCompile(`^\* OK \[MONOINCUID\] \S`)

// checkSelect checks one successful SELECT/EXAMINE response: exactly one
// [MONOINCUID] and one [UIDNEXT n], and the tagged OK with its usual code.
func checkSelect(t *testing.T, what string, lines []string, tagged, wantTagged string, uidnext uint32) {
	t.Helper()
	var codes, next []string
	for _, l := range lines {
		if strings.Contains(l, "MONOINCUID") {
			codes = append(codes, l)
		}
		if strings.HasPrefix(l, "* OK [UIDNEXT ") {
			next = append(next, l)
		}
	}
	if len(codes) != 1 || !monoincuidCode.MatchString(codes[0]) {
		t.Errorf("%s: MONOINCUID responses %q, want exactly one \"* OK [MONOINCUID] text\" (all: %q)", what, codes, lines)
	}
	if len(next) != 1 || !strings.HasPrefix(next[0], fmt.Sprintf("* OK [UIDNEXT %d] ", uidnext)) {
		t.Errorf("%s: UIDNEXT responses %q, want one [UIDNEXT %d]", what, next, uidnext)
	}
	if !strings.HasPrefix(tagged, wantTagged) {
		t.Errorf("%s: tagged %q, want %q", what, tagged, wantTagged)
	}
}

// TestMonoincuidSelect: every SELECT and EXAMINE, the first and later ones
// in a session and those of another session, of a full or an empty
// mailbox, sends one [MONOINCUID] and one [UIDNEXT], and completes with
// the usual tagged OK.
//
// spec: MU-11, MU-16, MU-17, MU-18
func TestMonoincuidSelect(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	a, b := e.rawLoggedIn(), e.rawLoggedIn()
	for _, c := range []struct {
		r       *rawConn
		what    string
		cmd     string
		tagged  string
		uidnext uint32
	}{
		{a, "first SELECT", "SELECT INBOX", "S OK [READ-WRITE] SELECT completed", 3},
		{a, "SELECT again", "SELECT INBOX", "S OK [READ-WRITE] SELECT completed", 3},
		{a, "EXAMINE", "EXAMINE INBOX", "S OK [READ-ONLY] EXAMINE completed", 3},
		{a, "SELECT of an empty mailbox", "SELECT Archive", "S OK [READ-WRITE] SELECT completed", 1},
		{b, "SELECT in a second session", "SELECT INBOX", "S OK [READ-WRITE] SELECT completed", 3},
		{b, "EXAMINE in a second session", "examine inbox", "S OK [READ-ONLY] EXAMINE completed", 3},
	} {
		lines, tagged := run(c.r, "S", c.cmd)
		checkSelect(t, c.what, lines, tagged, c.tagged, c.uidnext)
	}
	// After IMAP4rev2 is enabled the response set changes; the code stays.
	a.send("E ENABLE IMAP4rev2")
	a.untilTagged("E OK")
	lines, tagged := run(a, "S", "SELECT INBOX")
	checkSelect(t, "SELECT under IMAP4rev2", lines, tagged, "S OK [READ-WRITE] SELECT completed", 3)
}

// TestMonoincuidSelectParameters: the code comes whatever the select
// parameters: CONDSTORE, QRESYNC with a matching or a wrong UIDVALIDITY,
// the seed draft's QRESYNC form, and alongside [CLOSED].
//
// spec: MU-19
func TestMonoincuidSelectParameters(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	uv := e.uidValidity("INBOX")
	r := e.rawLoggedIn()
	r.send("E ENABLE QRESYNC")
	r.untilTagged("E OK")
	r.send("P SELECT INBOX") // so that each SELECT below replaces a selection
	r.untilTagged("P OK")
	for _, c := range []struct{ what, cmd, tagged string }{
		{"QRESYNC with a wrong UIDVALIDITY", fmt.Sprintf("SELECT INBOX (QRESYNC (%d 1))", uv+1), "S OK [READ-WRITE]"},
		{"QRESYNC", fmt.Sprintf("SELECT INBOX (QRESYNC (%d 1 1:2))", uv), "S OK [READ-WRITE]"},
		{"EXAMINE with CONDSTORE", "EXAMINE INBOX (CONDSTORE)", "S OK [READ-ONLY]"},
	} {
		lines, tagged := run(r, "S", c.cmd)
		checkSelect(t, c.what, lines, tagged, c.tagged, 3)
		// Each of these replaces a selected mailbox: [CLOSED] comes too.
		if len(withPrefix(lines, "* OK [CLOSED]")) != 1 {
			t.Errorf("%s: no [CLOSED] beside [MONOINCUID]: %q", c.what, lines)
		}
	}
	d := e.rawLoggedIn() // no ENABLE: the seed draft's QRESYNC
	for _, c := range []struct{ what, cmd string }{
		{"draft-mode QRESYNC", fmt.Sprintf("SELECT INBOX (QRESYNC (%d 1))", uv)},
		{"draft-mode QRESYNC with a wrong UIDVALIDITY", fmt.Sprintf("SELECT INBOX (QRESYNC (%d 1 1:2))", uv+1)},
		{"SELECT with CONDSTORE", "SELECT INBOX (CONDSTORE)"},
	} {
		lines, tagged := run(d, "S", c.cmd)
		checkSelect(t, c.what, lines, tagged, "S OK [READ-WRITE]", 3)
	}
}

// TestMonoincuidFailedSelect: a SELECT or EXAMINE that fails sends no
// [MONOINCUID], also when it ends a selection.
//
// spec: MU-21
func TestMonoincuidFailedSelect(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	bad := func(cmd, tagged string) {
		t.Helper()
		lines, got := run(r, "S", cmd)
		if !strings.HasPrefix(got, tagged) {
			t.Errorf("%s: %q, want %q", cmd, got, tagged)
		}
		for _, l := range lines {
			if strings.Contains(l, "MONOINCUID") || strings.Contains(l, "UIDNEXT") {
				t.Errorf("%s failed but sent %q", cmd, l)
			}
		}
	}
	bad("SELECT nosuch", "S NO [NONEXISTENT]")
	bad("EXAMINE nosuch", "S NO [NONEXISTENT]")
	r.send("X SELECT INBOX")
	r.untilTagged("X OK")
	bad("SELECT nosuch", "S NO [NONEXISTENT]")
	bad("SELECT", "S BAD")
	bad("EXAMINE INBOX (BOGUS)", "S BAD")
}
