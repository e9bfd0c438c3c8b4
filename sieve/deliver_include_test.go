package sieve

import (
	"context"
	"slices"
	"testing"

	"zest/storage"
)

// Delivery compiles the active script with the account's scripts and the
// global ones as includes, and compiles again when any included script
// changes, appears or disappears. spec: RFC 6609 §3.1, §3.2
func TestDelivererIncludes(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	acct, err := st.CreateAccount(ctx, "alice@example.org", "secret alice")
	if err != nil {
		t.Fatal(err)
	}
	a := acct.ID
	put := func(name, src string) {
		t.Helper()
		if err := st.PutScript(ctx, a, name, []byte(src)); err != nil {
			t.Fatal(err)
		}
	}
	put("main", `require "include"; include "lib"; include :global :optional "site";`)
	put("lib", `keep;`)
	if err := st.SetActive(ctx, a, "main"); err != nil {
		t.Fatal(err)
	}
	d := NewDeliverer(st, nil)
	msg := newTestMessage("From: bob@example.net\nSubject: hi\n\nbody\n")
	targets := func(want ...string) {
		t.Helper()
		dec := d.Decide(ctx, a, msg, Envelope{From: "bob@example.net", To: "alice@example.org"})
		var got []string
		for _, tg := range dec.Targets {
			got = append(got, tg.Mailbox)
		}
		if dec.Err != nil {
			got = append(got, "error")
		}
		if !slices.Equal(got, want) {
			t.Errorf("targets %v (err %v), want %v", got, dec.Err, want)
		}
	}
	targets("INBOX")

	put("lib", `discard;`) // the included script changed
	targets()

	if err := st.PutGlobalScript(ctx, "site", []byte(`require ["fileinto", "mailbox"]; fileinto :create "Site";`)); err != nil {
		t.Fatal(err)
	}
	targets("Site") // an optional script appeared

	if err := st.DeleteGlobalScript(ctx, "site"); err != nil {
		t.Fatal(err)
	}
	targets() // and disappeared

	if err := st.DeleteScript(ctx, a, "lib"); err != nil {
		t.Fatal(err)
	}
	targets("INBOX", "error") // a missing script fails the run: kept in INBOX

	put("lib", `require "include"; include "main";`) // recursion: the script no longer compiles
	targets("INBOX", "error")
	put("lib", `keep;`)
	targets("INBOX")
}
