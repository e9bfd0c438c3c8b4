package imap

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// stored reads a message and its bytes from the store.
func (e *testEnv) stored(mailbox string, uid storage.UID) (*storage.Message, []byte) {
	e.t.Helper()
	ctx := context.Background()
	mb, err := e.store.MailboxByName(ctx, e.alice.ID, mailbox)
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := e.store.Message(ctx, e.alice.ID, mb.ID, uid)
	if err != nil {
		e.t.Fatal(err)
	}
	raw, err := e.store.ReadBlob(ctx, m.Blob, 0, m.Size)
	if err != nil {
		e.t.Fatal(err)
	}
	return m, raw
}

// TestAppendTranscript: APPEND with flags and date-time answers APPENDUID
// (RFC 3501 §6.3.11, RFC 4315 §3); the message may come as a synchronising
// literal, a non-synchronising one (RFC 7888) or a literal8 (RFC 3516); bare
// LF line ends are stored as CRLF.
func TestAppendTranscript(t *testing.T) {
	e := newTestEnv(t)
	v := e.uidValidity("INBOX")
	r := e.rawLoggedIn()
	msg := "Subject: hello\r\n\r\nHi.\r\n"

	r.send(fmt.Sprintf(`A1 APPEND INBOX (\Seen $Work) " 5-Nov-2026 10:00:00 +0100" {%d}`, len(msg)))
	r.expect("+ ")
	r.write(msg + "\r\n")
	wantLines(t, "A1", r.untilTagged(fmt.Sprintf("A1 OK [APPENDUID %d 1] APPEND completed", v)))
	m, raw := e.stored("INBOX", 1)
	if !slices.Equal(m.Flags.Names(), []string{`\Seen`, "$Work"}) || !m.InternalDate.Equal(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)) || string(raw) != msg {
		t.Errorf("stored %v %v %q", m.Flags.Names(), m.InternalDate, raw)
	}

	lf := "Subject: bare\n\nline one\nline two\n"
	r.send(fmt.Sprintf("A2 APPEND inbox {%d+}", len(lf)))
	r.write(lf + "\r\n")
	wantLines(t, "A2", r.untilTagged(fmt.Sprintf("A2 OK [APPENDUID %d 2] APPEND completed", v)))
	if m, raw := e.stored("INBOX", 2); string(raw) != strings.ReplaceAll(lf, "\n", "\r\n") || len(m.Flags.Names()) != 0 || time.Since(m.InternalDate) > time.Minute {
		t.Errorf("stored %q at %v", raw, m.InternalDate)
	}

	bin := "Subject: binary\r\nContent-Transfer-Encoding: binary\r\n\r\n\x00\x01\x02\r\n"
	r.send(fmt.Sprintf("A3 APPEND Sent ~{%d}", len(bin)))
	r.expect("+ ")
	r.write(bin + "\r\n")
	wantLines(t, "A3", r.untilTagged(fmt.Sprintf("A3 OK [APPENDUID %d 1] APPEND completed", e.uidValidity("Sent"))))
	if _, raw := e.stored("Sent", 1); string(raw) != bin {
		t.Errorf("literal8 stored as %q", raw)
	}

	// Anything is accepted, even without a header.
	junk := "no header here"
	r.send(fmt.Sprintf("A4 APPEND INBOX () {%d+}", len(junk)))
	r.write(junk + "\r\n")
	r.untilTagged(fmt.Sprintf("A4 OK [APPENDUID %d 3]", v))
}

// TestAppendErrors: a missing mailbox is TRYCREATE (RFC 3501 §6.3.11), an
// empty message is refused, \Recent and bad dates are syntax errors, and a
// message over the APPENDLIMIT is TOOBIG before it is sent (RFC 7889,
// RFC 9051 §7.1).
func TestAppendErrors(t *testing.T) {
	e := newTestEnvConfig(t, func(c *Config) { c.MaxLiteral = 100 })
	r := e.rawLoggedIn()
	r.send("E1 APPEND Nope {5}")
	r.expect("+ ")
	r.write("Hi.\r\n\r\n")
	r.expect("E1 NO [TRYCREATE] no mailbox Nope")
	r.send("E2 APPEND INBOX {0}")
	r.expect("+ ")
	r.write("\r\n")
	r.expect("E2 NO [CANNOT] an empty message cannot be appended")
	r.send(`E3 APPEND INBOX (\Recent) {5}`) // refused before the literal
	r.expect(`E3 BAD \Recent cannot be set by a client`)
	r.send(`E4 APPEND INBOX "31-Feb-2026 10:00:00 +0000" {5}`)
	r.expect("E4 BAD")
	r.send("E5 APPEND INBOX {101}")
	r.expect("E5 NO [TOOBIG] the message is larger than the APPENDLIMIT of 100 bytes")
	r.send("E6 APPEND INBOX")
	r.expect("E6 BAD")
	r.send("E7 APPEND INBOX {5}")
	r.expect("+ ")
	r.write("Hi.\r\n extra\r\n")
	r.expect("E7 BAD")
	r.send("N NOOP")
	r.expect("N OK")
	r.send("T STATUS INBOX (MESSAGES)")
	wantLines(t, "STATUS", r.untilTagged("T OK"), "* STATUS INBOX (MESSAGES 0)")
}

// TestAppendToSelected: a message appended to the selected mailbox is
// announced with EXISTS in APPEND's own response.
func TestAppendToSelected(t *testing.T) {
	e := newTestEnv(t)
	e.deliver("", message(1))
	r := e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	msg := string(message(2))
	r.send(fmt.Sprintf("A APPEND INBOX (\\Draft) {%d+}", len(msg)))
	r.write(msg + "\r\n")
	// The session is the first to see its own APPEND: \Recent (RFC 3501 §2.3.2).
	wantLines(t, "A", r.untilTagged("A OK [APPENDUID"), "* 2 EXISTS", "* 1 RECENT")
	r.send("N NOOP")
	wantLines(t, "NOOP", r.untilTagged("N OK"))
}

// TestAppendClient: go-imap's client appends with flags and a date and
// gets APPENDUID back.
func TestAppendClient(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	msg := message(7)
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600))
	cmd := c.Append("Drafts", int64(len(msg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft, imap.FlagSeen}, Time: date})
	if _, err := cmd.Write(msg); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if data.UID != 1 || data.UIDValidity != e.uidValidity("Drafts") {
		t.Errorf("APPEND answered %+v", data)
	}
	m, raw := e.stored("Drafts", 1)
	if !bytes.Equal(raw, msg) || !m.InternalDate.Equal(date) || !slices.Equal(m.Flags.Names(), []string{`\Seen`, `\Draft`}) {
		t.Errorf("stored %v %v %q", m.Flags.Names(), m.InternalDate, raw)
	}
	st, err := c.Status("Drafts", &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *st.NumMessages != 1 || *st.NumUnseen != 0 {
		t.Errorf("STATUS %d messages, %d unseen", *st.NumMessages, *st.NumUnseen)
	}
}

// RFC 6855 §4: after ENABLE UTF8=ACCEPT, APPEND takes UTF8 (literal8) for a
// message with UTF-8 headers; without the ENABLE the form is refused.
func TestAppendUTF8(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	msg := "Subject: grüße\r\nFrom: jörg@example.org\r\n\r\nhallo\r\n"
	r.send(fmt.Sprintf("A1 APPEND INBOX UTF8 (~{%d+}", len(msg)))
	r.write(msg + ")\r\n")
	r.expect("A1 BAD")
	r.send("E ENABLE UTF8=ACCEPT")
	r.untilTagged("E OK")
	r.send(fmt.Sprintf("A2 APPEND INBOX UTF8 (~{%d+}", len(msg)))
	r.write(msg + ")\r\n")
	r.untilTagged("A2 OK [APPENDUID")
	r.send(`S STATUS INBOX (MESSAGES)`)
	if got := r.untilTagged("S OK"); len(got) != 1 || got[0] != "* STATUS INBOX (MESSAGES 1)" {
		t.Errorf("after APPEND UTF8: %q", got)
	}
}
