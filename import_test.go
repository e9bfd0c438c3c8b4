package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"zest/storage"
)

// startServer runs `zest serve --config cfg` as a child process (this test
// binary, see TestMain) until the test ends, and waits for its banner.
func startServer(t *testing.T, cfg string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ZEST_CHILD_ARGS="+strings.Join([]string{"serve", "--config", cfg}, "\x1f"))
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "add a user with:") {
	}
	go io.Copy(io.Discard, stdout)
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve after SIGTERM: %v\n%s", err, stderr.String())
			}
		case <-time.After(40 * time.Second):
			cmd.Process.Kill()
			t.Error("serve did not stop after SIGTERM")
		}
	})
}

// writeFile writes a file, creating its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testMaildir writes a maildir as Dovecot or mutt leave it: flags in the
// names of cur/, new mail without flags, Dovecot's keyword letters, and a
// file that is not a message. Names are not in delivery order, to check the
// import sorts them by their time.
func testMaildir(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "cur", "1700000200.M2P9.host,S=60:2,FS"), "Subject: second\nMessage-ID: <2@x>\n\nsecond body\n")
	writeFile(t, filepath.Join(dir, "cur", "1700000100.M1P9.host,S=60:2,RT"), "Subject: first\nMessage-ID: <1@x>\n\nfirst body\n")
	writeFile(t, filepath.Join(dir, "cur", "1700000300.M3P9.host:2,Dab"), "Subject: third\r\nMessage-ID: <3@x>\r\n\r\nthird body, CRLF already\r\n")
	writeFile(t, filepath.Join(dir, "new", "1700000400.M4P9.host"), "Subject: fourth\nMessage-ID: <4@x>\n\nfourth body\n")
	writeFile(t, filepath.Join(dir, "cur", ".editor-swap"), "not a message")
	writeFile(t, filepath.Join(dir, "tmp", "1700000500.M5P9.host"), "Subject: being delivered\n\n")
	writeFile(t, filepath.Join(dir, "dovecot-keywords"), "0 $Work\n1 Later\n")
	when := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "cur", "1700000100.M1P9.host,S=60:2,RT"), when, when); err != nil {
		t.Fatal(err)
	}
}

// testMbox is an mboxrd file: Status and X-Status hold the flags, body
// lines that start with "From " are escaped, and an empty line before each
// From_ line separates the messages.
const testMbox = "From alice@example.net Tue Nov 14 22:13:20 2023\n" +
	"Subject: one\n" +
	"Status: RO\n" +
	"X-Status: AF\n" +
	"Message-ID: <one@x>\n" +
	"\n" +
	"first line\n" +
	">From the start of a line\n" +
	">>From quoted twice\n" +
	"\n" +
	"after an empty line\n" +
	"\n" +
	"From bob@example.net Wed Nov 15 08:00:00 2023\n" +
	"Subject: two\n" +
	"X-Keywords: $Important Later\n" +
	"Content-Length: 999\n" +
	"Message-ID: <two@x>\n" +
	"\n" +
	"second\n" +
	"\n" +
	"From carol@example.net Thu Nov 16 09:00:00 2023\n" +
	"Subject: three\n" +
	"Status: O\n" +
	"\n" +
	"third, unread\n"

type wantMessage struct {
	subject string
	flags   []string
	body    string    // the whole message as FETCH BODY[] returns it, when set
	date    time.Time // INTERNALDATE, when set
}

// checkMailbox logs in over IMAP and checks the mailbox holds exactly want,
// in UID order, with their flags and bytes.
func checkMailbox(t *testing.T, addr, user, mailbox string, want []wantMessage) {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, "pw").Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		t.Fatalf("SELECT %s: %v", mailbox, err)
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Flags: true, Envelope: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil {
		t.Fatalf("FETCH: %v", err)
	}
	if len(msgs) != len(want) {
		t.Fatalf("%s holds %d messages, want %d", mailbox, len(msgs), len(want))
	}
	for i, m := range msgs {
		var flags []string
		for _, f := range m.Flags {
			if f != `\Recent` {
				flags = append(flags, string(f))
			}
		}
		slices.Sort(flags)
		wantFlags := slices.Sorted(slices.Values(want[i].flags))
		if m.Envelope.Subject != want[i].subject || !slices.Equal(flags, wantFlags) {
			t.Errorf("%s message %d (UID %d): subject %q, flags %v; want %q, %v", mailbox, i+1, m.UID, m.Envelope.Subject, flags, want[i].subject, wantFlags)
		}
		var body []byte
		for _, b := range m.BodySection {
			body = b.Bytes
		}
		if !want[i].date.IsZero() && !m.InternalDate.Equal(want[i].date) {
			t.Errorf("%s message %d: INTERNALDATE %v, want %v", mailbox, i+1, m.InternalDate, want[i].date)
		}
		if want[i].body != "" && string(body) != want[i].body {
			t.Errorf("%s message %d: body\n%q\nwant\n%q", mailbox, i+1, body, want[i].body)
		}
	}
}

var wantMaildir = []wantMessage{
	{"first", []string{`\Answered`, `\Deleted`}, "Subject: first\r\nMessage-ID: <1@x>\r\n\r\nfirst body\r\n", time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)},
	{"second", []string{`\Flagged`, `\Seen`}, "", time.Time{}},
	{"third", []string{`\Draft`, "$Work", "Later"}, "Subject: third\r\nMessage-ID: <3@x>\r\n\r\nthird body, CRLF already\r\n", time.Time{}},
	{"fourth", nil, "", time.Time{}},
}

var wantMbox = []wantMessage{
	{"one", []string{`\Seen`, `\Answered`, `\Flagged`}, "Subject: one\r\nMessage-ID: <one@x>\r\n\r\nfirst line\r\nFrom the start of a line\r\n>From quoted twice\r\n\r\nafter an empty line\r\n", time.Date(2023, 11, 14, 22, 13, 20, 0, time.Local)},
	{"two", []string{"$Important", "Later"}, "Subject: two\r\nMessage-ID: <two@x>\r\n\r\nsecond\r\n", time.Time{}},
	{"three", nil, "Subject: three\r\n\r\nthird, unread\r\n", time.Time{}},
}

// TestImportWithoutServer imports a maildir and an mbox file while no
// server runs (the command opens the store), then checks what an IMAP
// client sees.
func TestImportWithoutServer(t *testing.T) {
	dir := t.TempDir()
	imapAddr := freeAddr(t)
	cfg := writeServerConfig(t, dir, map[string]string{"imap": imapAddr})
	c := []string{"--config", cfg}
	runCLI(t, "pw\n", append(c, "user", "add", "alice@example.org", "--password-stdin")...)
	testMaildir(t, filepath.Join(dir, "Maildir"))
	writeFile(t, filepath.Join(dir, "mbox"), testMbox)

	out := runCLI(t, "", append(c, "import", "alice@example.org", "INBOX", filepath.Join(dir, "Maildir"))...)
	if !strings.HasPrefix(out, "imported 4 messages into INBOX of alice@example.org from maildir ") {
		t.Errorf("maildir import said %q", out)
	}
	// A relative path is read from the working directory.
	t.Chdir(dir)
	out = runCLI(t, "", append(c, "import", "alice@example.org", "Archive", "mbox")...)
	if out != "imported 3 messages into Archive of alice@example.org from mbox "+filepath.Join(dir, "mbox")+"\n" {
		t.Errorf("mbox import said %q", out)
	}

	startServer(t, cfg)
	checkMailbox(t, imapAddr, "alice@example.org", "INBOX", wantMaildir)
	checkMailbox(t, imapAddr, "alice@example.org", "Archive", wantMbox)
}

// TestImportThroughRunningServer imports while a server holds the store:
// the command goes through the control socket and the server reads the
// files, from the path made absolute by the command.
func TestImportThroughRunningServer(t *testing.T) {
	dir := t.TempDir()
	imapAddr := freeAddr(t)
	cfg := writeServerConfig(t, dir, map[string]string{"imap": imapAddr})
	c := []string{"--config", cfg}
	runCLI(t, "pw\n", append(c, "user", "add", "bob@example.org", "--password-stdin")...)
	testMaildir(t, filepath.Join(dir, "Maildir"))
	writeFile(t, filepath.Join(dir, "mbox"), testMbox)
	startServer(t, cfg)

	t.Chdir(dir)
	out := runCLI(t, "", append(c, "import", "bob@example.org", "INBOX", "Maildir")...)
	if out != "imported 4 messages into INBOX of bob@example.org from maildir "+filepath.Join(dir, "Maildir")+"\n" {
		t.Errorf("maildir import said %q", out)
	}
	runCLI(t, "", append(c, "import", "bob@example.org", "Archive", filepath.Join(dir, "mbox"))...)
	checkMailbox(t, imapAddr, "bob@example.org", "INBOX", wantMaildir)
	checkMailbox(t, imapAddr, "bob@example.org", "Archive", wantMbox)

	// Errors come back through the socket as they do without a server.
	if code, _, stderr := runCLIStatus(append(c, "import", "bob@example.org", "INBOX", "missing"), ""); code != 1 || !strings.Contains(stderr, filepath.Join(dir, "missing")+": no such file or directory") {
		t.Errorf("missing path through the socket: exit %d, %q", code, stderr)
	}
}

// TestImportManyBatches imports more messages than one batch holds and
// checks that all arrive, in the file's order.
func TestImportManyBatches(t *testing.T) {
	dir := t.TempDir()
	imapAddr := freeAddr(t)
	cfg := writeServerConfig(t, dir, map[string]string{"imap": imapAddr})
	c := []string{"--config", cfg}
	runCLI(t, "pw\n", append(c, "user", "add", "carol@example.org", "--password-stdin")...)
	const n = 2*importBatchMessages + 7
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "From x@example.net Tue Nov 14 22:13:20 2023\nSubject: m%d\n\nbody %d\n\n", i, i)
	}
	writeFile(t, filepath.Join(dir, "big.mbox"), b.String())
	out := runCLI(t, "", append(c, "import", "carol@example.org", "INBOX", filepath.Join(dir, "big.mbox"))...)
	if !strings.HasPrefix(out, fmt.Sprintf("imported %d messages ", n)) {
		t.Fatalf("import said %q", out)
	}
	startServer(t, cfg)
	ic, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login("carol@example.org", "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := ic.Fetch(imap.UIDSetNum(1, importBatchMessages+1, n), &imap.FetchOptions{UID: true, Envelope: true}).Collect()
	if err != nil || len(msgs) != 3 {
		t.Fatalf("FETCH: %d messages, %v", len(msgs), err)
	}
	for i, want := range []string{"m0", fmt.Sprintf("m%d", importBatchMessages), fmt.Sprintf("m%d", n-1)} {
		if msgs[i].Envelope.Subject != want {
			t.Errorf("UID %d: subject %q, want %q", msgs[i].UID, msgs[i].Envelope.Subject, want)
		}
	}
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerConfig(t, dir, map[string]string{"imap": freeAddr(t)})
	c := []string{"--config", cfg}
	runCLI(t, "pw\n", append(c, "user", "add", "dave@example.org", "--password-stdin")...)
	testMaildir(t, filepath.Join(dir, "Maildir"))
	writeFile(t, filepath.Join(dir, "notes.txt"), "Dear diary,\n")
	writeFile(t, filepath.Join(dir, "empty.mbox"), "")
	os.MkdirAll(filepath.Join(dir, "photos"), 0o755)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"dave@example.org", "INBOX", filepath.Join(dir, "nowhere")}, 1, filepath.Join(dir, "nowhere") + ": no such file or directory"},
		{[]string{"dave@example.org", "INBOX", filepath.Join(dir, "photos")}, 1, "is a directory but not a maildir"},
		{[]string{"dave@example.org", "INBOX", filepath.Join(dir, "notes.txt")}, 1, "neither a maildir nor an mbox file"},
		{[]string{"dave@example.org", "Nonexistent", filepath.Join(dir, "Maildir")}, 1, `mailbox "Nonexistent"`},
		{[]string{"nobody@example.org", "INBOX", filepath.Join(dir, "Maildir")}, 1, "account nobody@example.org"},
		{[]string{"dave@example.org", "INBOX"}, 2, "zest import ADDRESS MAILBOX PATH"},
	} {
		code, _, stderr := runCLIStatus(append(c, append([]string{"import"}, tc.args...)...), "")
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("zest import %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.want)
		}
	}
	if out := runCLI(t, "", append(c, "import", "dave@example.org", "INBOX", filepath.Join(dir, "empty.mbox"))...); !strings.HasPrefix(out, "imported 0 messages") {
		t.Errorf("empty mbox: %q", out)
	}
	// Nothing was imported by the failed commands.
	if out := runCLI(t, "", append(c, "user", "list")...); !regexpMatch(`dave@example\.org\s+0\s`, out) {
		t.Errorf("after failed imports:\n%s", out)
	}
}

func TestMaildirFlags(t *testing.T) {
	kw := map[byte]string{'a': "$Work", 'c': "Later"}
	for name, want := range map[string][]string{
		"cur/1.M1.h,S=20:2,":        nil,
		"cur/1.M1.h,S=20:2,DFPRST":  {`\Draft`, `\Flagged`, `\Answered`, `\Seen`, `\Deleted`},
		"cur/1.M1.h:2,Sacz":         {`\Seen`, "$Work", "Later"},
		"cur/1.M1.h!2,F":            {`\Flagged`},
		"new/1.M1.h,S=1232,W=1262":  nil,
		"cur/1.M1.h:1,experimental": nil,
	} {
		if got := maildirFlags(name, kw); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

func TestFromLineDate(t *testing.T) {
	local := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.Local)
	}
	for line, want := range map[string]time.Time{
		"From a@b Tue Nov 14 22:13:20 2023\n":       local(2023, 11, 14, 22, 13, 20),
		"From a@b Fri Mar  1 01:02:03 2024\n":       local(2024, 3, 1, 1, 2, 3),
		"From a@b Fri Mar  1 01:02:03 2024 +0200\n": time.Date(2024, 3, 1, 1, 2, 3, 0, time.FixedZone("", 7200)),
		"From MAILER-DAEMON\n":                      {},
		"From a@b yesterday\n":                      {},
	} {
		if got := fromLineDate([]byte(line)); !got.Equal(want) {
			t.Errorf("%q: %v, want %v", line, got, want)
		}
	}
}

// FuzzMbox checks the mbox reader two ways: any input ends in messages or
// an error, never a panic or a hang; and messages written as mboxrd (each
// line ending in LF, lines matching >*From  escaped with one more >, an
// empty line after each message) come back line for line, with CRLF.
func FuzzMbox(f *testing.F) {
	f.Add([]byte("Subject: a\n\nFrom me\n>From you\n\x00Subject: b\n\nbody\n\n\n"))
	f.Add([]byte("\x00\x00From \n"))
	f.Add([]byte(testMbox))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Any input.
		if s, err := newMboxSource(bytes.NewReader(data), io.NopCloser(nil)); err == nil {
			for range len(data) + 2 {
				if _, err := s.Next(); err != nil {
					break
				}
			}
		}
		// Round trip.
		var file bytes.Buffer
		var want []string
		for _, m := range bytes.Split(data, []byte{0}) {
			var exp strings.Builder
			fmt.Fprintf(&file, "From fuzz@example.org Thu Jan  1 00:00:00 1970\n")
			if len(m) > 0 {
				for _, line := range bytes.Split(bytes.TrimSuffix(m, []byte("\n")), []byte("\n")) {
					line = bytes.TrimRight(line, "\r") // "x\r\n" in a file is "x" with a CRLF
					if i := bytes.IndexFunc(line, func(r rune) bool { return r != '>' }); i >= 0 && bytes.HasPrefix(line[i:], []byte("From ")) {
						file.WriteByte('>')
					}
					file.Write(line)
					file.WriteByte('\n')
					exp.Write(line)
					exp.WriteString("\r\n")
				}
			}
			file.WriteByte('\n')
			want = append(want, exp.String())
		}
		s, err := newMboxSource(bytes.NewReader(file.Bytes()), io.NopCloser(nil))
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			_, got, err := s.nextRaw()
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if string(got) != w {
				t.Fatalf("message %d:\n%q\nwant\n%q\nfile:\n%q", i, got, w, file.Bytes())
			}
		}
		if _, _, err := s.nextRaw(); err != io.EOF {
			t.Fatalf("after %d messages: %v, want EOF", len(want), err)
		}
	})
}

// TestImportStopsWhenTheCommandGoesAway: a CLI that disconnects (Ctrl-C)
// stops the import the server runs for it, after the batch in progress;
// what was stored stays.
func TestImportStopsWhenTheCommandGoesAway(t *testing.T) {
	dir := t.TempDir()
	st, err := storage.Open(filepath.Join(dir, "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.CreateAccount(t.Context(), "erin@example.org", "pw")
	if err != nil {
		t.Fatal(err)
	}
	const n = 20 * importBatchMessages
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "From x@example.net Tue Nov 14 22:13:20 2023\nSubject: m%d\n\nbody %d\n\n", i, i)
	}
	writeFile(t, filepath.Join(dir, "big.mbox"), b.String())
	ctl, err := listenControl(dir, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("unix", controlSocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(conn).Encode(adminRequest{Args: []string{"import", "erin@example.org", "INBOX", filepath.Join(dir, "big.mbox")}}); err != nil {
		t.Fatal(err)
	}
	count := func() uint32 {
		mb, err := st.MailboxByName(t.Context(), a.ID, "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		return mb.Messages
	}
	// Once the first batch is in, the CLI goes away.
	deadline := time.Now().Add(30 * time.Second)
	for count() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	conn.Close()
	// The import stops: the count settles well below n.
	last, stable := count(), time.Now()
	for time.Since(stable) < 500*time.Millisecond && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if c := count(); c != last {
			last, stable = c, time.Now()
		}
	}
	if last == 0 || last > n/2 {
		t.Errorf("after the CLI went away the import stored %d of %d messages, want it stopped after a batch or two", last, n)
	}
	ctl.Close()
}
