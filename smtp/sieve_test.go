package smtp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"zest/sieve"
	"zest/storage"
)

// activate stores src as account a's active script.
func (e *env) activate(a *storage.Account, src string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := sieve.Compile([]byte(src), sieve.Options{}); err != nil {
		e.t.Fatalf("test script: %v", err)
	}
	if err := e.store.PutScript(ctx, a.ID, "test", []byte(src)); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SetActive(ctx, a.ID, "test"); err != nil {
		e.t.Fatal(err)
	}
}

// mailboxFlags returns the flags of the messages in one of a's mailboxes.
func (e *env) mailboxFlags(a *storage.Account, name string) [][]string {
	e.t.Helper()
	ctx := context.Background()
	mb, err := e.store.MailboxByName(ctx, a.ID, name)
	if err != nil {
		return nil
	}
	msgs, err := e.store.Messages(ctx, a.ID, mb.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out [][]string
	for _, m := range msgs {
		out = append(out, m.Flags.Names())
	}
	return out
}

// Mail delivered over LMTP lands where the recipient's script says, with
// the flags it sets; a reject refuses that recipient only; a script error
// keeps the message in INBOX and is recorded for the user.
//
// spec: SV-14, SV-16, SV-23, SV-26, SV-29, SV-30
func TestSieveAtDelivery(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) }})
	if _, err := e.store.CreateMailbox(context.Background(), e.alice.ID, "Bills"); err != nil {
		t.Fatal(err)
	}
	e.activate(e.alice, `require ["fileinto", "imap4flags"];
if header :contains "subject" "invoice" {
  fileinto :flags "$Invoice" "Bills";
} elsif header :contains "subject" "typo" {
  fileinto "NoSuchFolder";
} elsif header :contains "subject" "drop" {
  discard;
}`)
	e.activate(e.bob, `require "reject";
if header :contains "subject" "invoice" { reject "No invoices here, please."; }`)

	send := func(subject string) []string {
		c := e.lmtpClient()
		c.Mail("sender@example.net", nil)
		c.Rcpt("alice@example.org", nil)
		c.Rcpt("bob@example.org", nil)
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("From: sender@example.net\r\nTo: alice@example.org, bob@example.org\r\nSubject: " + subject + "\r\n\r\nbody\r\n"))
		_, err = w.CloseWithLMTPResponse()
		var lerr gosmtp.LMTPDataError
		errors.As(err, &lerr)
		var replies []string
		for _, rcpt := range []string{"alice@example.org", "bob@example.org"} {
			if se := lerr[rcpt]; se != nil {
				replies = append(replies, rcpt+": "+se.Error())
			} else {
				replies = append(replies, rcpt+": ok")
			}
		}
		return replies
	}

	replies := send("Your invoice")
	if !slices.Contains(replies, "alice@example.org: ok") || !slices.ContainsFunc(replies, func(r string) bool {
		return strings.HasPrefix(r, "bob@example.org: ") && strings.Contains(r, "550") && strings.Contains(r, "No invoices here")
	}) {
		t.Errorf("replies %q: want alice ok and bob refused with 550 and the reason", replies)
	}
	if got := e.mailboxFlags(e.alice, "Bills"); len(got) != 1 || !slices.Contains(got[0], "$Invoice") {
		t.Errorf("alice's Bills: %v, want one message flagged $Invoice", got)
	}
	if n := len(e.mailboxFlags(e.alice, "INBOX")); n != 0 {
		t.Errorf("alice's INBOX has %d messages; fileinto cancels the implicit keep", n)
	}
	if n := len(e.mailboxFlags(e.bob, "INBOX")); n != 0 {
		t.Errorf("bob's INBOX has %d messages after his script rejected it", n)
	}

	send("a typo in my script")
	// The message is kept, and a notice tells alice why (SV-26).
	inbox := e.inbox(e.alice)
	if len(inbox) != 2 {
		t.Fatalf("fileinto a missing mailbox: alice's INBOX has %d messages, want the message and a notice", len(inbox))
	}
	kept, notice := string(e.body(inbox[0])), string(e.body(inbox[1]))
	if strings.HasPrefix(kept, "Auto-Submitted:") {
		kept, notice = notice, kept
	}
	if !strings.Contains(kept, "Subject: a typo in my script") {
		t.Errorf("the kept message:\n%s", kept)
	}
	for _, want := range []string{"Auto-Submitted: auto-generated\r\n", "To: <alice@example.org>", "Subject: Your mail filter failed", "NoSuchFolder", "a typo in my script"} {
		if !strings.Contains(notice, want) {
			t.Errorf("the notice lacks %q:\n%s", want, notice)
		}
	}
	send("a typo in my script, again")
	if n := len(e.inbox(e.alice)); n != 3 {
		t.Errorf("a second failure the same day: alice's INBOX has %d messages, want 3 (one notice a day)", n)
	}
	if se, err := e.store.LastSieveError(context.Background(), e.alice.ID); err != nil || se == nil || !strings.Contains(se.Msg, "NoSuchFolder") {
		t.Errorf("the script error was not recorded: %v %v", se, err)
	}
	if n := len(e.mailboxFlags(e.bob, "INBOX")); n != 2 {
		t.Errorf("bob's INBOX has %d messages, want 2 (his script keeps both, and did not fail)", n)
	}

	send("drop this")
	if n := len(e.mailboxFlags(e.alice, "INBOX")); n != 3 {
		t.Errorf("after discard alice's INBOX has %d messages, want still 3", n)
	}
}

// spec: SV-55 — mailboxexists sees the account's mailboxes, and
// fileinto :create makes the one that is missing.
func TestSieveMailboxAtDelivery(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) }})
	if _, err := e.store.CreateMailbox(context.Background(), e.alice.ID, "Bills"); err != nil {
		t.Fatal(err)
	}
	e.activate(e.alice, `require ["fileinto", "mailbox"];
if mailboxexists ["Bills", "INBOX"] { fileinto "Bills"; }
if not mailboxexists "Made" { fileinto :create "Made"; }
if mailboxexists "Nope" { fileinto "Wrong"; }`)
	c := e.lmtpClient()
	c.Mail("sender@example.net", nil)
	c.Rcpt("alice@example.org", nil)
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("From: sender@example.net\r\nTo: alice@example.org\r\nSubject: s\r\n\r\nbody\r\n"))
	if _, err := w.CloseWithLMTPResponse(); err != nil {
		t.Fatalf("delivery: %v", err)
	}
	for _, mb := range []string{"Bills", "Made"} {
		if n := len(e.mailboxFlags(e.alice, mb)); n != 1 {
			t.Errorf("alice's %s has %d messages, want 1", mb, n)
		}
	}
	if n := len(e.mailboxFlags(e.alice, "INBOX")); n != 0 {
		t.Errorf("alice's INBOX has %d messages, want 0 (fileinto cancels the implicit keep)", n)
	}
}
