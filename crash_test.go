package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"zest/storage"
)

// startChild runs "zest serve" in a child process and waits until its LMTP
// port accepts connections.
func startChild(t *testing.T, cfgPath, lmtpAddr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ZEST_CHILD_ARGS="+strings.Join([]string{"serve", "--config", cfgPath}, "\x1f"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", lmtpAddr)
		if err == nil {
			c.Close()
			return cmd
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("server did not start: %v\n%s", err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeServerConfig(t *testing.T, dir string, listen map[string]string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "hostname = \"mx.example.org\"\ndata = %q\n[listen]\n", filepath.Join(dir, "data"))
	for k, v := range listen {
		fmt.Fprintf(&b, "%s = %q\n", k, v)
	}
	path := filepath.Join(dir, "zest.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, strings.NewReader(stdin), &out, &errb); code != 0 {
		t.Fatalf("zest %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

func crashMessage(id int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: load@example.net\r\nTo: a@example.org\r\nSubject: crash test %d\r\nMessage-ID: <crash-%d@example.net>\r\n\r\n", id, id)
	for i := range 20 + id%50 {
		fmt.Fprintf(&b, "line %d of message %d: the quick brown fox jumps over the lazy dog\r\n", i, id)
	}
	return b.Bytes()
}

// TestCrashDurability kills a server with SIGKILL at random moments while
// clients deliver concurrently, and checks after every restart that each
// message acknowledged with 250 is present and intact, that UIDs only grew,
// that no message changed its UID and UIDNEXT never went back, and that the
// mailbox counters match the messages.
//
// spec: MU-05, MU-06
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	rounds := 20
	if n, err := strconv.Atoi(os.Getenv("ZEST_CRASH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	dir := t.TempDir()
	lmtpAddr := freeAddr(t)
	cfg := writeServerConfig(t, dir, map[string]string{"lmtp": lmtpAddr})
	for _, u := range []string{"a@example.org", "b@example.org"} {
		runCLI(t, "pw\n", "--config", cfg, "user", "add", u, "--password-stdin")
	}

	var mu sync.Mutex
	acked := map[int][]string{} // message id -> recipients that got 250
	nextID := 0
	var lastMaxUID storage.UID
	audit := &uidAudit{uidOf: map[int]storage.UID{}}
	totalAcked := 0
	for round := range rounds {
		child := startChild(t, cfg, lmtpAddr)
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := net.Dial("tcp", lmtpAddr)
				if err != nil {
					return
				}
				c := gosmtp.NewClientLMTP(conn)
				defer c.Close()
				if c.Hello("client.example.net") != nil {
					return
				}
				for ctx.Err() == nil {
					mu.Lock()
					id := nextID
					nextID++
					mu.Unlock()
					rcpts := []string{"a@example.org"}
					if id%3 == 0 {
						rcpts = append(rcpts, "b@example.org")
					}
					ok := deliverLMTP(c, id, rcpts)
					if len(ok) > 0 {
						mu.Lock()
						acked[id] = ok
						mu.Unlock()
					}
					if len(ok) < len(rcpts) {
						return // connection broken by the kill
					}
				}
			}()
		}
		time.Sleep(time.Duration(30+rand.IntN(400)) * time.Millisecond)
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		stop()
		wg.Wait()
		// Audit the store as the next server would find it.
		maxUID := auditStore(t, filepath.Join(dir, "data"), acked, audit)
		if maxUID < lastMaxUID {
			t.Fatalf("round %d: highest UID went from %d down to %d", round, lastMaxUID, maxUID)
		}
		lastMaxUID = maxUID
		totalAcked = len(acked)
	}
	t.Logf("%d kills, %d messages acknowledged and all found intact", rounds, totalAcked)
	if totalAcked == 0 {
		t.Fatal("no delivery was acknowledged; the test proved nothing")
	}
}

// deliverLMTP sends one message and returns the recipients that got 250.
func deliverLMTP(c *gosmtp.Client, id int, rcpts []string) []string {
	if c.Mail("load@example.net", nil) != nil {
		return nil
	}
	for _, r := range rcpts {
		if c.Rcpt(r, nil) != nil {
			return nil
		}
	}
	w, err := c.Data()
	if err != nil {
		return nil
	}
	if _, err := w.Write(crashMessage(id)); err != nil {
		return nil
	}
	// On a broken connection the replies that did arrive still count: each
	// 250 is a promise the store must keep.
	resp, _ := w.CloseWithLMTPResponse()
	var ok []string
	for _, r := range rcpts {
		if resp[r] != nil {
			ok = append(ok, r)
		}
	}
	return ok
}

// uidAudit is what earlier audits saw in a's INBOX.
type uidAudit struct {
	uidValidity uint32
	uidNext     storage.UID
	uidOf       map[int]storage.UID // message id -> its UID
}

// check compares a's INBOX with earlier audits: same UIDVALIDITY, UIDNEXT
// not lower, every message seen before still there under the same UID.
func (u *uidAudit) check(t *testing.T, mb *storage.Mailbox, uidOf map[int]storage.UID) {
	t.Helper()
	if u.uidValidity != 0 && mb.UIDValidity != u.uidValidity {
		t.Fatalf("INBOX UIDVALIDITY changed from %d to %d", u.uidValidity, mb.UIDValidity)
	}
	if mb.UIDNext < u.uidNext {
		t.Fatalf("INBOX UIDNEXT went back from %d to %d", u.uidNext, mb.UIDNext)
	}
	for id, uid := range u.uidOf {
		if uidOf[id] != uid {
			t.Fatalf("message %d had UID %d, now %d (0: gone)", id, uid, uidOf[id])
		}
	}
	u.uidValidity, u.uidNext, u.uidOf = mb.UIDValidity, mb.UIDNext, uidOf
}

// auditStore opens the store directly and checks it against what was
// acknowledged and what earlier audits saw; it returns the highest UID in
// a's INBOX.
func auditStore(t *testing.T, dataDir string, acked map[int][]string, audit *uidAudit) storage.UID {
	t.Helper()
	st, err := storage.Open(filepath.Join(dataDir, "db"), storage.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	found := map[string]map[int]bool{} // recipient -> message ids present
	var maxA storage.UID
	for _, addr := range []string{"a@example.org", "b@example.org"} {
		acct, err := st.AccountByAddress(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		found[addr] = map[int]bool{}
		boxes, err := st.Mailboxes(ctx, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, mb := range boxes {
			msgs, err := st.Messages(ctx, acct.ID, mb.ID)
			if err != nil {
				t.Fatal(err)
			}
			var size int64
			var unseen uint32
			var last storage.UID
			uidOf := map[int]storage.UID{}
			for _, m := range msgs {
				if m.UID <= last {
					t.Fatalf("%s %s: UID %d after %d", addr, mb.Name, m.UID, last)
				}
				last = m.UID
				size += m.Size
				if !m.Flags.Has(`\Seen`) {
					unseen++
				}
				body, err := st.ReadBlob(ctx, m.Blob, 0, -1)
				if err != nil {
					t.Fatalf("%s uid %d: body unreadable: %v", addr, m.UID, err)
				}
				if int64(len(body)) != m.Size {
					t.Fatalf("%s uid %d: body %d bytes, record says %d", addr, m.UID, len(body), m.Size)
				}
				var id int
				i := bytes.Index(body, []byte("Message-ID: <crash-"))
				if i < 0 {
					t.Fatalf("%s uid %d: not a test message", addr, m.UID)
				}
				fmt.Sscanf(string(body[i:]), "Message-ID: <crash-%d@", &id)
				if !bytes.HasSuffix(body, crashMessage(id)) {
					t.Fatalf("%s uid %d: message %d corrupted", addr, m.UID, id)
				}
				found[addr][id] = true
				uidOf[id] = m.UID
			}
			if mb.Messages != uint32(len(msgs)) || mb.Size != size || mb.Unseen != unseen {
				t.Fatalf("%s %s: counters messages=%d size=%d unseen=%d, actual %d %d %d", addr, mb.Name, mb.Messages, mb.Size, mb.Unseen, len(msgs), size, unseen)
			}
			if len(msgs) > 0 && mb.UIDNext <= last {
				t.Fatalf("%s %s: UIDNEXT %d not above the highest UID %d", addr, mb.Name, mb.UIDNext, last)
			}
			if addr == "a@example.org" && mb.Name == "INBOX" {
				maxA = last
				audit.check(t, mb, uidOf)
			}
		}
	}
	for id, rcpts := range acked {
		for _, r := range rcpts {
			if !found[r][id] {
				t.Fatalf("message %d was acknowledged to %s but is missing after the kill", id, r)
			}
		}
	}
	return maxA
}
