package smtp

import (
	"context"
	"errors"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"zest/sieve"
	"zest/storage"
)

// lmtpDeliver sends msg to alice over LMTP and returns her reply (nil: 250).
func (e *env) lmtpDeliver(msg string) error {
	e.t.Helper()
	c := e.lmtpClient()
	if err := c.Mail("sender@example.net", nil); err != nil {
		e.t.Fatal(err)
	}
	if err := c.Rcpt("alice@example.org", nil); err != nil {
		e.t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		e.t.Fatal(err)
	}
	w.Write([]byte(strings.ReplaceAll(msg, "\n", "\r\n")))
	_, err = w.CloseWithLMTPResponse()
	var lerr gosmtp.LMTPDataError
	if errors.As(err, &lerr) {
		if se := lerr["alice@example.org"]; se != nil {
			return se
		}
		return nil
	}
	return err
}

// The same Message-ID delivered twice: the second delivery is a duplicate
// and the script discards it; another Message-ID is not (RFC 7352 §3).
func TestSieveDuplicateOverLMTP(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) }})
	e.activate(e.alice, `require "duplicate"; if duplicate { discard; stop; }`)
	for i, msg := range []string{
		"From: a@example.net\nMessage-ID: <same@example.net>\nSubject: first\n\nbody\n",
		"From: a@example.net\nMessage-ID: <same@example.net>\nSubject: second\n\nbody\n",
		"From: a@example.net\nMessage-ID: <other@example.net>\nSubject: third\n\nbody\n",
	} {
		if err := e.lmtpDeliver(msg); err != nil {
			t.Fatalf("delivery %d: %v", i+1, err)
		}
	}
	var subjects []string
	for _, m := range e.inbox(e.alice) {
		body := string(e.body(m))
		for _, s := range []string{"first", "second", "third"} {
			if strings.Contains(body, "Subject: "+s+"\r\n") {
				subjects = append(subjects, s)
			}
		}
	}
	if strings.Join(subjects, " ") != "first third" {
		t.Errorf("alice's INBOX holds %q, want the first and third (the second is a duplicate)", subjects)
	}
}

// A delivery that failed records nothing, so its retry is not a duplicate
// (RFC 7352 §3: the list changes only after a successful execution).
func TestSieveDuplicateNotRecordedOnFailure(t *testing.T) {
	fs := &faultyStore{}
	e := newEnvWith(t, envOptions{
		wrap:   func(s *storage.Store) mailStore { fs.Store = s; return fs },
		filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) },
	})
	e.activate(e.alice, `require "duplicate"; if duplicate { discard; stop; }`)
	msg := "From: a@example.net\nMessage-ID: <retry@example.net>\nSubject: retry\n\nbody\n"
	fs.perTarget = map[storage.AccountID]error{e.alice.ID: errors.New("disk full")}
	if err := e.lmtpDeliver(msg); err == nil {
		t.Fatal("the failing delivery was accepted")
	}
	fs.perTarget = nil
	if err := e.lmtpDeliver(msg); err != nil {
		t.Fatal(err)
	}
	if n := len(e.inbox(e.alice)); n != 1 {
		t.Errorf("after a failed delivery and its retry, INBOX has %d messages, want 1", n)
	}
	if seen, err := e.store.DuplicateSeen(context.Background(), e.alice.ID, "", "<retry@example.net>"); err != nil || !seen {
		t.Errorf("the successful retry did not record its Message-ID: %v %v", seen, err)
	}
}

// The environment test sees the LMTP client's address and the server's
// host (RFC 5183 §4.1).
func TestSieveEnvironmentOverLMTP(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter {
		d := sieve.NewDeliverer(st, nil)
		d.Environment = sieve.Environment{Host: "mx.zest.test", Domain: "zest.test", Version: "1.0"}
		return d
	}})
	e.activate(e.alice, `require ["environment", "imap4flags"];
if allof (environment "remote-ip" "127.0.0.1", environment "host" "mx.zest.test",
          environment "location" "MDA", environment "phase" "during") { addflag "$Env"; }`)
	if err := e.lmtpDeliver("From: a@example.net\nSubject: env\n\nbody\n"); err != nil {
		t.Fatal(err)
	}
	if got := e.mailboxFlags(e.alice, "INBOX"); len(got) != 1 || !strings.Contains(strings.Join(got[0], " "), "$Env") {
		t.Errorf("INBOX flags %v, want $Env: the environment items did not match", got)
	}
}
