package sieve

import (
	"context"
	"testing"
)

// spec: SV-55 — RFC 5490 §3: mailboxexists is true only if every name
// exists; without a MailboxExists function only INBOX does; :create is
// carried in the action.
func TestMailbox(t *testing.T) {
	exists := map[string]bool{"INBOX": true, "Work": true}
	tests := []struct {
		name, src string
		lookup    bool
		want      string
	}{
		{"all exist", `require ["mailbox", "fileinto"]; if mailboxexists ["INBOX", "Work"] { fileinto "Work"; }`, true, `fileinto "Work"`},
		{"one missing", `require ["mailbox", "fileinto"]; if mailboxexists ["Work", "Play"] { fileinto "Work"; }`, true, "keep"},
		{"no lookup: INBOX only", `require ["mailbox", "fileinto"];
			if mailboxexists "inbox" { fileinto "A"; } if mailboxexists "Work" { fileinto "B"; }`, false, `fileinto "A"`},
		{"rfc example", `require ["fileinto", "mailbox"]; if header :contains "subject" "wile" { fileinto :create "Coyote"; }`,
			true, `fileinto :create "Coyote"`},
		{"create and copy", `require ["fileinto", "mailbox", "copy"]; fileinto :copy :create "New";`, true,
			"fileinto :copy :create \"New\"\nkeep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile([]byte(tt.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			in := &Input{Message: newTestMessage("Subject: Wile E.\r\n\r\nb\r\n"), Envelope: Envelope{From: "a@b.c", To: "me@example.com"}}
			if tt.lookup {
				in.MailboxExists = func(n string) bool { return exists[n] }
			}
			res, err := s.Run(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for i, a := range res.Actions {
				if i > 0 {
					got += "\n"
				}
				got += a.String()
			}
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	for _, src := range []string{
		`require "fileinto"; fileinto :create "X";`,
		`if mailboxexists "X" { discard; }`,
		`require "mailbox"; if mailboxexists "" { discard; }`,
	} {
		if _, err := Compile([]byte(src), Options{}); err == nil {
			t.Errorf("%s: compiled, want an error", src)
		}
	}
}
