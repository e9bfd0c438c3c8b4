package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// cheapKDF keeps tests fast; production uses DefaultPasswordParams.
var cheapKDF = PasswordParams{Time: 1, Memory: 64, Threads: 1}

func openTestStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newTestStore(t testing.TB) *Store {
	s := openTestStore(t, t.TempDir())
	t.Cleanup(func() { s.Close() })
	return s
}

func mustAccount(t testing.TB, s *Store, addr string) *Account {
	t.Helper()
	a, err := s.CreateAccount(context.Background(), addr, "secret "+addr)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func testMessage(i int) []byte {
	return fmt.Appendf(nil, "From: Sender <sender@example.net>\r\nTo: alice@example.org\r\nSubject: test %d\r\nMessage-ID: <%d@example.net>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nBody of message %d.\r\n", i, i, i)
}

func deliverOne(t testing.TB, s *Store, a AccountID, mailbox string, raw []byte) Stored {
	t.Helper()
	res, err := s.Deliver(context.Background(), Incoming{Raw: raw}, []Target{{Account: a, Mailbox: mailbox}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	return res[0]
}

func TestCreateAccountMakesDefaultMailboxes(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "Alice@Example.org")
	if a.Address != "alice@example.org" {
		t.Errorf("address = %q, want lower case", a.Address)
	}
	boxes, err := s.Mailboxes(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, mb := range boxes {
		use := ""
		if len(mb.SpecialUse) > 0 {
			use = mb.SpecialUse[0]
		}
		got[mb.Name] = use
		if mb.UIDNext != 1 || mb.UIDValidity == 0 || !mb.Subscribed {
			t.Errorf("%s: uidnext %d uidvalidity %d subscribed %v", mb.Name, mb.UIDNext, mb.UIDValidity, mb.Subscribed)
		}
	}
	want := map[string]string{"INBOX": "", "Sent": `\Sent`, "Drafts": `\Drafts`, "Trash": `\Trash`, "Junk": `\Junk`, "Archive": `\Archive`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mailboxes = %v, want %v", got, want)
	}
	if local, _ := s.IsLocalDomain(ctx, "example.org"); !local {
		t.Error("the account's domain did not become local")
	}
	if _, err := s.CreateAccount(ctx, "alice@example.org", "x"); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate account: err = %v, want ErrExists", err)
	}
	for _, bad := range []string{"", "alice", "@example.org", "alice@", "a b@example.org", "bob+tag@example.org", "x@-bad-.org"} {
		if _, err := s.CreateAccount(ctx, bad, "x"); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CreateAccount(%q): err = %v, want ErrInvalidName", bad, err)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.CreateAccount(ctx, "bob@example.org", "correct horse"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "bob@example.org", "correct horse"); err != nil {
		t.Fatalf("good password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "BOB@example.org", "correct horse"); err != nil {
		t.Fatalf("login is case-insensitive: %v", err)
	}
	for _, c := range []struct{ user, pass string }{
		{"bob@example.org", "wrong"}, {"bob@example.org", ""}, {"nobody@example.org", "correct horse"},
	} {
		if _, err := s.Authenticate(ctx, c.user, c.pass); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Authenticate(%q, %q) = %v, want ErrBadCredentials", c.user, c.pass, err)
		}
	}
	// The successful login above is cached; a password change must end it.
	if err := s.SetPassword(ctx, "bob@example.org", "battery staple"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "bob@example.org", "correct horse"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password after change: %v, want ErrBadCredentials", err)
	}
	if _, err := s.Authenticate(ctx, "bob@example.org", "battery staple"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if err := s.SetDisabled(ctx, "bob@example.org", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "bob@example.org", "battery staple"); !errors.Is(err, ErrAccountDisabled) {
		t.Errorf("disabled account: %v, want ErrAccountDisabled", err)
	}
}

func TestAuthCacheSkipsKDF(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Password: DefaultPasswordParams})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.CreateAccount(ctx, "carol@example.org", "pw"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := s.Authenticate(ctx, "carol@example.org", "pw"); err != nil {
		t.Fatal(err)
	}
	cold := time.Since(start)
	start = time.Now()
	for range 10 {
		if _, err := s.Authenticate(ctx, "carol@example.org", "pw"); err != nil {
			t.Fatal(err)
		}
	}
	warm := time.Since(start) / 10
	t.Logf("login with KDF %v, cached %v", cold, warm)
	if warm*10 > cold {
		t.Errorf("cached login took %v, not much faster than the KDF's %v", warm, cold)
	}
}

// TestResolveRecipient covers exact accounts, aliases, sub-addressing,
// catch-alls, loops, non-local domains and RFC 5321's postmaster.
func TestResolveRecipient(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	alice := mustAccount(t, s, "alice@example.org")
	bob := mustAccount(t, s, "bob@example.org")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.AddAlias(ctx, "team@example.org", "alice@example.org", "bob@example.org"))
	must(s.AddAlias(ctx, "loop1@example.org", "loop2@example.org"))
	must(s.AddAlias(ctx, "loop2@example.org", "loop1@example.org"))
	must(s.AddAlias(ctx, "info@other.example", "alice@example.org"))
	must(s.AddDomain(ctx, "catch.example"))
	must(s.AddAlias(ctx, "@catch.example", "bob@example.org"))
	if err := s.AddAlias(ctx, "x@example.org", "someone@elsewhere.example"); !errors.Is(err, ErrNotLocal) {
		t.Errorf("alias to a non-local address: %v, want ErrNotLocal", err)
	}

	type want struct {
		ids    []AccountID
		detail string
		err    error
	}
	for addr, w := range map[string]want{
		"alice@example.org":        {ids: []AccountID{alice.ID}},
		"ALICE@EXAMPLE.ORG":        {ids: []AccountID{alice.ID}},
		"alice+lists@example.org":  {ids: []AccountID{alice.ID}, detail: "lists"},
		"team@example.org":         {ids: []AccountID{alice.ID, bob.ID}},
		"team+x@example.org":       {ids: []AccountID{alice.ID, bob.ID}, detail: "x"},
		"info@other.example":       {ids: []AccountID{alice.ID}},
		"anything@catch.example":   {ids: []AccountID{bob.ID}},
		"nobody@example.org":       {err: ErrUnknownRecipient},
		"loop1@example.org":        {err: ErrUnknownRecipient},
		"alice@elsewhere.example":  {err: ErrNotLocal},
		"not an address":           {err: ErrUnknownRecipient},
		"alice@example.org.evil.x": {err: ErrNotLocal},
		"Postmaster@example.org":   {ids: []AccountID{alice.ID}}, // the domain's first account
		"postmaster@other.example": {ids: []AccountID{alice.ID}}, // no account there: the server's first
		"postmaster@catch.example": {ids: []AccountID{bob.ID}},   // the catch-all wins over the fallback
	} {
		got, err := s.ResolveRecipient(ctx, addr)
		if w.err != nil {
			if !errors.Is(err, w.err) {
				t.Errorf("%s: err = %v, want %v", addr, err, w.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", addr, err)
			continue
		}
		var ids []AccountID
		for _, r := range got {
			ids = append(ids, r.Account.ID)
			if r.Detail != w.detail {
				t.Errorf("%s: detail %q, want %q", addr, r.Detail, w.detail)
			}
		}
		if !slices.Equal(ids, w.ids) {
			t.Errorf("%s: accounts %v, want %v", addr, ids, w.ids)
		}
	}
}

func TestDeliverSharesOneBlob(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	alice := mustAccount(t, s, "alice@example.org")
	bob := mustAccount(t, s, "bob@example.org")
	raw := testMessage(1)
	res, err := s.Deliver(ctx, Incoming{Raw: raw}, []Target{
		{Account: alice.ID}, {Account: bob.ID, Flags: []string{`\Seen`, "$Label1"}}, {Account: bob.ID, Mailbox: "Nope"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[1].Err != nil || res[0].UID != 1 || res[1].UID != 1 {
		t.Fatalf("results %+v", res)
	}
	if !errors.Is(res[2].Err, ErrNoSuchMailbox) {
		t.Errorf("missing mailbox: err %v, want ErrNoSuchMailbox", res[2].Err)
	}
	m, err := s.Message(ctx, bob.ID, res[1].MailboxID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if refs, _ := s.BlobRefs(ctx, m.Blob); refs != 2 {
		t.Errorf("blob refs = %d, want 2 (one body for two recipients)", refs)
	}
	if !m.Flags.Has(`\seen`) || !m.Flags.Has("$label1") || m.Size != int64(len(raw)) {
		t.Errorf("message %+v", m)
	}
	body, err := s.ReadBlob(ctx, m.Blob, 0, -1)
	if err != nil || !bytes.Equal(body, raw) {
		t.Errorf("ReadBlob = %q, %v", body, err)
	}
	info, err := s.MessageInfo(ctx, m.Blob)
	if err != nil {
		t.Fatal(err)
	}
	if info.Envelope == nil || info.Envelope.Subject != "test 1" {
		t.Errorf("envelope %+v", info.Envelope)
	}
	// The header is kept beside the body for SEARCH.
	hdr, err := s.MessageHeader(ctx, m.Blob)
	if err != nil || !bytes.HasPrefix(raw, hdr) || !bytes.HasSuffix(hdr, []byte("\r\n\r\n")) || len(hdr) != info.HeaderLen {
		t.Errorf("MessageHeader = %q, %v", hdr, err)
	}
	mb, _ := s.Mailbox(ctx, bob.ID, res[1].MailboxID)
	if mb.Messages != 1 || mb.Unseen != 0 || mb.UIDNext != 2 || mb.Size != int64(len(raw)) {
		t.Errorf("bob's INBOX counters %+v", mb)
	}
	// Sieve's fileinto :create makes the mailbox.
	res, err = s.Deliver(ctx, Incoming{Raw: raw}, []Target{{Account: bob.ID, Mailbox: "Lists/Go", Create: true}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("deliver with create: %v %v", err, res[0].Err)
	}
	if _, err := s.MailboxByName(ctx, bob.ID, "Lists"); err != nil {
		t.Errorf("parent mailbox not created: %v", err)
	}
}

func TestLargeMessageIsChunked(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	raw := append([]byte("Subject: big\r\n\r\n"), bytes.Repeat([]byte("0123456789abcdef\r\n"), 200000)...) // 3.6 MB
	st := deliverOne(t, s, a.ID, "", raw)
	m, _ := s.Message(ctx, a.ID, st.MailboxID, st.UID)
	for _, r := range []struct{ off, n int64 }{{0, -1}, {blobChunkSize - 10, 20}, {int64(len(raw)) - 5, 100}, {3 * blobChunkSize, blobChunkSize}, {int64(len(raw)) + 1, 10}} {
		got, err := s.ReadBlob(ctx, m.Blob, r.off, r.n)
		if err != nil {
			t.Fatal(err)
		}
		end := int64(len(raw))
		if r.n >= 0 {
			end = min(end, r.off+r.n)
		}
		want := raw[min(r.off, int64(len(raw))):end]
		if !bytes.Equal(got, want) {
			t.Errorf("ReadBlob(%d, %d): %d bytes, want %d", r.off, r.n, len(got), len(want))
		}
	}
}

func TestConcurrentDeliveriesShareCommits(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	b0, o0 := s.WriterStats()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				res, err := s.Deliver(ctx, Incoming{Raw: testMessage(w*1000 + i)}, []Target{{Account: a.ID}})
				if err == nil {
					err = res[0].Err
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	msgs, _ := s.Messages(ctx, a.ID, inbox.ID)
	if len(msgs) != workers*each || inbox.Messages != workers*each || inbox.UIDNext != workers*each+1 {
		t.Fatalf("%d messages, counter %d, uidnext %d; want %d", len(msgs), inbox.Messages, inbox.UIDNext, workers*each)
	}
	for i, m := range msgs {
		if m.UID != UID(i+1) {
			t.Fatalf("message %d has UID %d: UIDs must be dense and increasing here", i, m.UID)
		}
	}
	b1, o1 := s.WriterStats()
	t.Logf("%d changes in %d commits", o1-o0, b1-b0)
	if b1-b0 >= o1-o0 {
		t.Errorf("%d changes took %d commits: concurrent deliveries did not share commits", o1-o0, b1-b0)
	}
}

// spec: QR-01
func TestFlagsModSeqAndChangesSince(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	var mbID MailboxID
	const n = 2000
	for i := range n {
		mbID = deliverOne(t, s, a.ID, "", testMessage(i)).MailboxID
	}
	mb, _ := s.Mailbox(ctx, a.ID, mbID)
	before := mb.HighestModSeq
	if mb.Unseen != n {
		t.Fatalf("unseen = %d", mb.Unseen)
	}
	res, err := s.StoreFlags(ctx, a.ID, mbID, []UID{5, 6, 7, 99999}, FlagsAdd, []string{`\Seen`, "Work"}, Unconditional)
	if err != nil || len(res.Changed) != 3 {
		t.Fatalf("StoreFlags: %v, changed %d", err, len(res.Changed))
	}
	// A no-op change does not touch the mod-sequence (RFC 7162 §3.1).
	res, _ = s.StoreFlags(ctx, a.ID, mbID, []UID{5}, FlagsAdd, []string{`\Seen`}, Unconditional)
	if len(res.Changed) != 0 {
		t.Errorf("no-op store changed %d messages", len(res.Changed))
	}
	mb, _ = s.Mailbox(ctx, a.ID, mbID)
	if mb.HighestModSeq != before+1 || mb.Unseen != n-3 {
		t.Errorf("highestmodseq %d (want %d), unseen %d", mb.HighestModSeq, before+1, mb.Unseen)
	}
	// UNCHANGEDSINCE: messages changed after it are reported, not changed.
	res, _ = s.StoreFlags(ctx, a.ID, mbID, []UID{4, 5}, FlagsReplace, []string{`\Flagged`}, before)
	if len(res.Modified) != 1 || res.Modified[0].UID != 5 || len(res.Changed) != 1 || res.Changed[0].UID != 4 {
		t.Errorf("unchangedsince: modified %v changed %d", res.Modified, len(res.Changed))
	}
	gone, err := s.Expunge(ctx, a.ID, mbID, []UID{6, 10, 99999})
	if err != nil || !slices.Equal(gone, []UID{6, 10}) {
		t.Fatalf("expunge %v %v", gone, err)
	}
	ch, err := s.ChangesSince(ctx, a.ID, mbID, before)
	if err != nil {
		t.Fatal(err)
	}
	changed, vanished := ch.Changed, ch.Vanished
	if mb, _ := s.Mailbox(ctx, a.ID, mbID); ch.HighestModSeq != mb.HighestModSeq {
		t.Errorf("changes report HIGHESTMODSEQ %d, mailbox has %d", ch.HighestModSeq, mb.HighestModSeq)
	}
	var uids []UID
	for _, m := range changed {
		uids = append(uids, m.UID)
	}
	if !slices.Equal(uids, []UID{7, 5, 4}) && !slices.Equal(uids, []UID{5, 7, 4}) {
		t.Errorf("changed since %d: %v, want 5 7 then 4", before, uids)
	}
	if !slices.Equal(vanished, []UID{6, 10}) {
		t.Errorf("vanished %v", vanished)
	}
	mb, _ = s.Mailbox(ctx, a.ID, mbID)
	if mb.Messages != n-2 {
		t.Errorf("messages = %d after expunge", mb.Messages)
	}
	// Everything since the start is the whole mailbox.
	ch, _ = s.ChangesSince(ctx, a.ID, mbID, 0)
	if len(ch.Changed) != n-2 {
		t.Errorf("changes since 0: %d", len(ch.Changed))
	}
}

// BenchmarkChangesSince shows the cost follows the number of changes, not
// the mailbox size: compare ns/op across the sizes.
func BenchmarkChangesSince(b *testing.B) {
	for _, size := range []int{1000, 20000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			s := newTestStore(b)
			ctx := context.Background()
			a := mustAccount(b, s, "alice@example.org")
			var mbID MailboxID
			for i := range size {
				mbID = deliverOne(b, s, a.ID, "", testMessage(i)).MailboxID
			}
			mb, _ := s.Mailbox(ctx, a.ID, mbID)
			s.StoreFlags(ctx, a.ID, mbID, []UID{1, 2, 3}, FlagsAdd, []string{`\Seen`}, Unconditional)
			b.ResetTimer()
			for b.Loop() {
				ch, err := s.ChangesSince(ctx, a.ID, mbID, mb.HighestModSeq)
				if err != nil || len(ch.Changed) != 3 {
					b.Fatal(err, ch)
				}
			}
		})
	}
}

func TestExpungeReleasesBlob(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	st := deliverOne(t, s, a.ID, "", testMessage(1))
	m, _ := s.Message(ctx, a.ID, st.MailboxID, st.UID)
	archive, _ := s.MailboxByName(ctx, a.ID, "Archive")
	cp, err := s.Copy(ctx, a.ID, st.MailboxID, []UID{st.UID}, archive.ID, false)
	if err != nil || len(cp.Dest) != 1 || cp.UIDValidity != archive.UIDValidity {
		t.Fatalf("copy %+v %v", cp, err)
	}
	if refs, _ := s.BlobRefs(ctx, m.Blob); refs != 2 {
		t.Errorf("after copy refs = %d, want 2", refs)
	}
	s.Expunge(ctx, a.ID, st.MailboxID, []UID{st.UID})
	if refs, _ := s.BlobRefs(ctx, m.Blob); refs != 1 {
		t.Errorf("after expunging one copy refs = %d, want 1", refs)
	}
	s.Expunge(ctx, a.ID, archive.ID, cp.Dest)
	if refs, _ := s.BlobRefs(ctx, m.Blob); refs != 0 {
		t.Errorf("after expunging both refs = %d, want 0", refs)
	}
	if _, err := s.ReadBlob(ctx, m.Blob, 0, -1); !errors.Is(err, ErrNotFound) {
		t.Errorf("body still readable after last reference: %v", err)
	}
	if _, err := s.MessageInfo(ctx, m.Blob); !errors.Is(err, ErrNotFound) {
		t.Errorf("description still readable after last reference: %v", err)
	}
	if _, err := s.MessageHeader(ctx, m.Blob); !errors.Is(err, ErrNotFound) {
		t.Errorf("header still readable after last reference: %v", err)
	}
}

func TestMoveKeepsCounters(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	for i := range 5 {
		deliverOne(t, s, a.ID, "", testMessage(i))
	}
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	trash, _ := s.MailboxByName(ctx, a.ID, "Trash")
	res, err := s.Copy(ctx, a.ID, inbox.ID, []UID{2, 4}, trash.ID, true)
	if err != nil || !slices.Equal(res.Source, []UID{2, 4}) || !slices.Equal(res.Dest, []UID{1, 2}) {
		t.Fatalf("move %+v %v", res, err)
	}
	inbox, _ = s.Mailbox(ctx, a.ID, inbox.ID)
	trash, _ = s.Mailbox(ctx, a.ID, trash.ID)
	if inbox.Messages != 3 || trash.Messages != 2 || inbox.UIDNext != 6 || trash.UIDNext != 3 {
		t.Errorf("inbox %d/%d trash %d/%d", inbox.Messages, inbox.UIDNext, trash.Messages, trash.UIDNext)
	}
	ch, _ := s.ChangesSince(ctx, a.ID, inbox.ID, 1)
	if !slices.Equal(ch.Vanished, []UID{2, 4}) {
		t.Errorf("moved messages not tombstoned in the source: %v", ch.Vanished)
	}
}

// spec: MU-13
func TestRecreatedMailboxGetsNewUIDValidity(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	mb, err := s.CreateMailbox(ctx, a.ID, "Projects/Zest")
	if err != nil {
		t.Fatal(err)
	}
	deliverOne(t, s, a.ID, "Projects/Zest", testMessage(1))
	if err := s.DeleteMailbox(ctx, a.ID, "Projects"); !errors.Is(err, ErrMailboxHasChildren) {
		t.Errorf("deleting a parent: %v", err)
	}
	if err := s.DeleteMailbox(ctx, a.ID, "Projects/Zest"); err != nil {
		t.Fatal(err)
	}
	again, err := s.CreateMailbox(ctx, a.ID, "Projects/Zest")
	if err != nil {
		t.Fatal(err)
	}
	if again.UIDValidity <= mb.UIDValidity || again.ID == mb.ID || again.UIDNext != 1 {
		t.Errorf("re-created mailbox: uidvalidity %d (was %d), id %d (was %d)", again.UIDValidity, mb.UIDValidity, again.ID, mb.ID)
	}
	if err := s.DeleteMailbox(ctx, a.ID, "inbox"); !errors.Is(err, ErrInvalidName) {
		t.Errorf("deleting INBOX: %v", err)
	}
}

func TestRenameMailbox(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	s.CreateMailbox(ctx, a.ID, "Work/2025")
	if err := s.RenameMailbox(ctx, a.ID, "Work", "Old/Work"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Old", "Old/Work", "Old/Work/2025"} {
		if _, err := s.MailboxByName(ctx, a.ID, name); err != nil {
			t.Errorf("%s after rename: %v", name, err)
		}
	}
	if _, err := s.MailboxByName(ctx, a.ID, "Work/2025"); !errors.Is(err, ErrNoSuchMailbox) {
		t.Errorf("old child name still there: %v", err)
	}
	// RENAME INBOX moves the messages to a new mailbox with a new
	// UIDVALIDITY; INBOX keeps its own and its UIDNEXT (spec MU-15).
	st := deliverOne(t, s, a.ID, "", testMessage(1))
	if err := s.RenameMailbox(ctx, a.ID, "INBOX", "Saved"); err != nil {
		t.Fatal(err)
	}
	saved, _ := s.MailboxByName(ctx, a.ID, "Saved")
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	if saved.Messages != 1 || saved.UIDValidity <= st.UIDValidity || saved.UIDNext != 2 {
		t.Errorf("rename INBOX: saved %+v", saved)
	}
	if inbox.ID != st.MailboxID || inbox.Messages != 0 || inbox.UIDValidity != st.UIDValidity || inbox.UIDNext != 2 {
		t.Errorf("rename INBOX: inbox %+v", inbox)
	}
	for _, bad := range [][2]string{{"INBOX", "Saved"}, {"Missing", "Other"}, {"Saved", "inbox"}, {"INBOX", "INBOX/Old"}} {
		if err := s.RenameMailbox(ctx, a.ID, bad[0], bad[1]); err == nil {
			t.Errorf("rename %s to %s succeeded", bad[0], bad[1])
		}
	}
}

func TestEventsInCommitOrder(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	other := mustAccount(t, s, "bob@example.org")
	sub := s.Subscribe(a.ID, 1000)
	defer sub.Close()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				s.Deliver(ctx, Incoming{Raw: testMessage(w*100 + i)}, []Target{{Account: a.ID}, {Account: other.ID}})
			}
		}()
	}
	wg.Wait()
	s.StoreFlags(ctx, a.ID, 0, nil, FlagsAdd, nil, Unconditional)
	var last UID
	for i := range 100 {
		select {
		case ev := <-sub.C:
			if ev.Kind != MessageNew || ev.Account != a.ID || len(ev.UIDs) != 1 {
				t.Fatalf("event %d: %+v", i, ev)
			}
			if ev.UIDs[0] <= last {
				t.Fatalf("event %d: UID %d after %d: events out of commit order", i, ev.UIDs[0], last)
			}
			last = ev.UIDs[0]
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d events", i)
		}
	}
	select {
	case ev := <-sub.C:
		t.Errorf("unexpected event %+v (another account's?)", ev)
	default:
	}
	if sub.Overflowed() {
		t.Error("overflow reported with room in the buffer")
	}
	small := s.Subscribe(a.ID, 1)
	defer small.Close()
	deliverOne(t, s, a.ID, "", testMessage(1))
	deliverOne(t, s, a.ID, "", testMessage(2))
	if !small.Overflowed() {
		t.Error("a full subscription was not marked overflowed")
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTestStore(t, dir)
	a := mustAccount(t, s, "alice@example.org")
	for i := range 10 {
		deliverOne(t, s, a.ID, "", testMessage(i))
	}
	inbox, _ := s.MailboxByName(ctx, a.ID, "INBOX")
	s.Expunge(ctx, a.ID, inbox.ID, []UID{10})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Deliver(ctx, Incoming{Raw: testMessage(1)}, []Target{{Account: a.ID}}); !errors.Is(err, ErrClosed) {
		t.Errorf("deliver after close: %v", err)
	}
	s = openTestStore(t, dir)
	defer s.Close()
	if _, err := s.Authenticate(ctx, "alice@example.org", "secret alice@example.org"); err != nil {
		t.Fatal(err)
	}
	st := deliverOne(t, s, a.ID, "", testMessage(99))
	if st.UID != 11 {
		t.Errorf("UID after reopen = %d, want 11 (UIDs are never reused, even after expunging the last)", st.UID)
	}
}

func TestDeleteAccount(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	b := mustAccount(t, s, "bob@example.org")
	raw := testMessage(1)
	s.Deliver(ctx, Incoming{Raw: raw}, []Target{{Account: a.ID}, {Account: b.ID}})
	for i := range 2500 { // more than one removal batch
		deliverOne(t, s, a.ID, "Archive", testMessage(i+10))
	}
	if err := s.DeleteAccount(ctx, "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AccountByAddress(ctx, "alice@example.org"); !errors.Is(err, ErrNotFound) {
		t.Errorf("account still there: %v", err)
	}
	if _, err := s.ResolveRecipient(ctx, "alice@example.org"); !errors.Is(err, ErrUnknownRecipient) {
		t.Errorf("deleted account still receives: %v", err)
	}
	inbox, _ := s.MailboxByName(ctx, b.ID, "INBOX")
	m, err := s.Message(ctx, b.ID, inbox.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if refs, _ := s.BlobRefs(ctx, m.Blob); refs != 1 {
		t.Errorf("shared body refs = %d after deleting one owner, want 1", refs)
	}
	if got, _ := s.ReadBlob(ctx, m.Blob, 0, -1); !bytes.Equal(got, raw) {
		t.Error("bob's copy of a shared body was damaged")
	}
	if boxes, _ := s.Mailboxes(ctx, a.ID); len(boxes) != 0 {
		t.Errorf("%d mailboxes left", len(boxes))
	}
}
