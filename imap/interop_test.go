package imap

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Interoperability with real clients from Debian. Each test skips with a
// visible message where its client is not installed; .ci/run installs them.

func needBinary(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install %s): skipping this interoperability test", name, pkg)
	}
	return path
}

// TestMbsyncBothWays syncs a mailbox with isync's mbsync into a local
// maildir and back: messages and flags travel in both directions.
func TestMbsyncBothWays(t *testing.T) {
	mbsync := needBinary(t, "mbsync", "isync")
	e := newTestEnv(t)
	for i := 1; i <= 5; i++ {
		e.deliver("", message(i))
	}
	dir := t.TempDir()
	host, port, _ := strings.Cut(e.addr, ":")
	cfg := filepath.Join(dir, "mbsyncrc")
	maildir := filepath.Join(dir, "mail")
	os.MkdirAll(maildir, 0o700)
	os.WriteFile(cfg, fmt.Appendf(nil, `IMAPAccount zest
Host %s
Port %s
User alice@example.org
Pass "alice password"
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account zest

MaildirStore local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns INBOX Archive
Create Both
Expunge Both
SyncState *
`, host, port, maildir, maildir), 0o600)
	run := func() {
		t.Helper()
		out, err := exec.Command(mbsync, "-c", cfg, "-V", "sync").CombinedOutput()
		if err != nil {
			t.Fatalf("mbsync: %v\n%s\nserver log:\n%s", err, out, e.logs.String())
		}
	}
	run()
	cur, _ := filepath.Glob(filepath.Join(maildir, "INBOX", "cur", "*"))
	newm, _ := filepath.Glob(filepath.Join(maildir, "INBOX", "new", "*"))
	local := append(cur, newm...)
	if len(local) != 5 {
		t.Fatalf("mbsync pulled %d messages, want 5", len(local))
	}
	// Back the other way: a new local message, and one marked seen.
	os.WriteFile(filepath.Join(maildir, "INBOX", "new", "1700000000.local.host"), message(100), 0o600)
	seen := local[0]
	base := filepath.Base(seen)
	if i := strings.Index(base, ":2,"); i >= 0 {
		base = base[:i]
	}
	os.Rename(seen, filepath.Join(maildir, "INBOX", "cur", base+":2,S"))
	run()
	ctx := context.Background()
	inbox, err := e.store.MailboxByName(ctx, e.alice.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if inbox.Messages != 6 || inbox.Unseen != 5 {
		t.Errorf("after syncing back: %d messages, %d unseen; want 6 and 5", inbox.Messages, inbox.Unseen)
	}
	// And a third run changes nothing.
	run()
	if again, _ := e.store.MailboxByName(ctx, e.alice.ID, "INBOX"); again.Messages != 6 {
		t.Errorf("an idle sync changed the mailbox: %d messages", again.Messages)
	}
}

// TestPythonImaplib drives the server with Python's imaplib: the client
// most scripts use.
func TestPythonImaplib(t *testing.T) {
	python := needBinary(t, "python3", "python3")
	e := newTestEnv(t)
	e.deliver("", message(1), message(2), message(3))
	host, port, _ := strings.Cut(e.addr, ":")
	script := fmt.Sprintf(`
import imaplib, sys
m = imaplib.IMAP4(%q, %s)
m.login("alice@example.org", "alice password")
typ, data = m.select("INBOX")
assert typ == "OK" and data == [b"3"], (typ, data)
typ, data = m.search(None, "ALL")
assert data == [b"1 2 3"], data
typ, data = m.uid("SEARCH", None, "SUBJECT", '"message 2"')
assert data == [b"2"], data
typ, data = m.fetch("1", "(RFC822)")
assert typ == "OK" and b"Subject: message 1" in data[0][1], data
typ, data = m.store("2", "+FLAGS", "(\\Flagged)")
assert typ == "OK", data
typ, data = m.copy("1:2", "Archive")
assert typ == "OK", data
typ, data = m.append("INBOX", "(\\Seen)", None, b"Subject: appended\r\n\r\nhi\r\n")
assert typ == "OK", data
m.store("3", "+FLAGS", "(\\Deleted)")
typ, data = m.expunge()
assert data == [b"3"], data
typ, data = m.status("Archive", "(MESSAGES)")
assert b"MESSAGES 2" in data[0], data
m.logout()
print("ok")
`, host, port)
	out, err := exec.Command(python, "-c", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("imaplib: %v\n%s\nserver log:\n%s", err, out, e.logs.String())
	}
	inbox, _ := e.store.MailboxByName(context.Background(), e.alice.ID, "INBOX")
	if inbox.Messages != 3 {
		t.Errorf("INBOX has %d messages, want 3", inbox.Messages)
	}
}

// TestFetchmail reads mail with fetchmail, which downloads and then
// deletes (--nokeep) what it fetched.
func TestFetchmail(t *testing.T) {
	fetchmail := needBinary(t, "fetchmail", "fetchmail")
	e := newTestEnv(t)
	e.deliver("", message(1), message(2))
	dir := t.TempDir()
	host, port, _ := strings.Cut(e.addr, ":")
	out := filepath.Join(dir, "out")
	rc := filepath.Join(dir, "fetchmailrc")
	os.WriteFile(rc, fmt.Appendf(nil, "poll %s service %s protocol IMAP auth password user \"alice@example.org\" password \"alice password\" sslproto '' nokeep mda \"/bin/sh -c 'cat >> %s'\"\n", host, port, out), 0o600)
	cmd := exec.Command(fetchmail, "-f", rc, "--nosyslog", "-v")
	cmd.Env = append(os.Environ(), "HOME="+dir, "FETCHMAILHOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fetchmail: %v\n%s\nserver log:\n%s", err, b, e.logs.String())
	}
	got, _ := os.ReadFile(out)
	if !strings.Contains(string(got), "Subject: message 1") || !strings.Contains(string(got), "Subject: message 2") {
		t.Errorf("fetchmail delivered:\n%s", got)
	}
	inbox, _ := e.store.MailboxByName(context.Background(), e.alice.ID, "INBOX")
	if inbox.Messages != 0 {
		t.Errorf("fetchmail --nokeep left %d messages", inbox.Messages)
	}
}
