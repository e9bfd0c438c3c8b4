package smtp

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"zest/sieve"
	"zest/storage"
)

// queued returns the outbound queue with each message's bytes.
func (e *env) queued() ([]storage.QueuedMessage, []string) {
	e.t.Helper()
	ctx := context.Background()
	q, err := e.store.Queued(ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var raws []string
	for _, m := range q {
		raw, err := e.store.QueuedRaw(ctx, m.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		raws = append(raws, string(raw))
	}
	return q, raws
}

// mustSend delivers msg from sender to rcpt over SMTP and fails the test
// on any refusal.
func (e *env) mustSend(sender, rcpt, msg string) {
	e.t.Helper()
	c := e.smtpClient()
	defer c.Close()
	if _, err := send(e.t, c, sender, []string{rcpt}, []byte(msg)); err != nil {
		e.t.Fatalf("delivery from %q to %s: %v", sender, rcpt, err)
	}
}

// A vacation reply is produced once per sender per period, to the
// envelope sender, with the null reverse path and the RFC 5230 header;
// lists, automatic mail and the null sender get none.
//
// spec: SV-37, SV-38, SV-39, SV-40
func TestVacationReplyQueued(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter {
		d := sieve.NewDeliverer(st, nil)
		d.Host = "mx.example.org"
		return d
	}})
	e.activate(e.alice, `require ["vacation", "variables"];
if header :matches "subject" "*" { set "s" "${1}"; }
vacation :days 3 "I am away (about: ${s}).";`)
	msg := func(subject string, extra ...string) string {
		return "From: Bob <bob@example.net>\r\nTo: alice@example.org\r\nSubject: " + subject +
			"\r\nMessage-ID: <m1@example.net>\r\n" + strings.Join(extra, "") + "\r\nHello\r\n"
	}
	e.mustSend("bob@example.net", "alice@example.org", msg("Lunch?"))
	e.mustSend("bob@example.net", "alice@example.org", msg("Dinner?"))
	e.mustSend("carol@example.net", "alice@example.org", msg("Hi", "References: <r0@example.net>\r\n"))
	e.mustSend("", "alice@example.org", msg("Bounce"))
	e.mustSend("list@example.net", "alice@example.org", msg("News", "List-Id: <news.example.net>\r\n"))
	e.mustSend("robot@example.net", "alice@example.org", msg("Build", "Auto-Submitted: auto-generated\r\n"))
	e.mustSend("bulk@example.net", "alice@example.org", msg("Offer", "Precedence: bulk\r\n"))
	e.mustSend("owner-list@example.net", "alice@example.org", msg("Owner"))
	e.mustSend("dave@example.net", "alice@example.org", strings.Replace(msg("Cc"), "To: alice@example.org", "To: someone@example.net", 1))
	if n := len(e.inbox(e.alice)); n != 9 {
		t.Errorf("INBOX holds %d messages, want all 9: vacation never stops a delivery", n)
	}
	q, raws := e.queued()
	var to []string
	for _, m := range q {
		to = append(to, m.To...)
		if m.Origin != storage.OriginVacation || m.From != "" || m.Account != e.alice.ID {
			t.Errorf("queued %+v, want a vacation reply of alice's with MAIL FROM <>", m)
		}
	}
	if want := []string{"bob@example.net", "carol@example.net"}; !slices.Equal(to, want) {
		t.Fatalf("replies went to %v, want %v (one per sender, none to the null sender, lists, automatic or bulk mail, owner-*, or mail not addressed to alice)", to, want)
	}
	reply, err := mail.ReadMessage(strings.NewReader(raws[0]))
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{
		"Auto-Submitted": "auto-replied",
		"From":           "alice@example.org",
		"To":             "<bob@example.net>",
		"Subject":        "Auto: Lunch?",
		"In-Reply-To":    "<m1@example.net>",
		"References":     "<m1@example.net>",
	} {
		if got := reply.Header.Get(field); got != want {
			t.Errorf("reply %s = %q, want %q", field, got, want)
		}
	}
	if !strings.HasPrefix(raws[0], "Auto-Submitted: auto-replied\r\n") {
		t.Errorf("Auto-Submitted is not the reply's first field:\n%s", raws[0])
	}
	if id := reply.Header.Get("Message-ID"); !strings.HasSuffix(id, "@mx.example.org>") {
		t.Errorf("reply Message-ID = %q", id)
	}
	if _, err := reply.Header.Date(); err != nil {
		t.Errorf("reply Date: %v", err)
	}
	if !strings.HasSuffix(raws[0], "\r\n\r\nI am away (about: Lunch?).\r\n") {
		t.Errorf("reply body:\n%s", raws[0])
	}
	if carol, _ := mail.ReadMessage(strings.NewReader(raws[1])); carol.Header.Get("References") != "<r0@example.net> <m1@example.net>" {
		t.Errorf("References not extended: %q", carol.Header.Get("References"))
	}
}

// A redirect is queued with the original envelope sender and the message
// as delivered, trace fields included, without a Return-Path; redirecting
// to an address the message was already delivered to is a loop, and the
// message stays in INBOX.
//
// spec: SV-17, SV-18
func TestRedirectQueued(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) }})
	e.activate(e.alice, `if header :contains "subject" "loop" { redirect "alice@example.org"; }
else { redirect "alice@elsewhere.example"; }`)
	e.mustSend("bob@example.net", "alice@example.org", "From: bob@example.net\r\nSubject: fwd me\r\n\r\nbody\r\n")
	if n := len(e.inbox(e.alice)); n != 0 {
		t.Errorf("a redirect without :copy stored %d messages", n)
	}
	q, raws := e.queued()
	if len(q) != 1 || q[0].Origin != storage.OriginRedirect || q[0].From != "bob@example.net" || !slices.Equal(q[0].To, []string{"alice@elsewhere.example"}) {
		t.Fatalf("queue = %+v", q)
	}
	if strings.HasPrefix(raws[0], "Return-Path:") || !strings.HasPrefix(raws[0], "Delivered-To: alice@example.org\r\nReceived: ") ||
		!strings.HasSuffix(raws[0], "From: bob@example.net\r\nSubject: fwd me\r\n\r\nbody\r\n") {
		t.Errorf("redirected message:\n%s", raws[0])
	}
	e.mustSend("bob@example.net", "alice@example.org", "From: bob@example.net\r\nSubject: loop\r\n\r\nbody\r\n")
	if n := len(e.inbox(e.alice)); n != 2 {
		t.Errorf("a looping redirect left %d messages in INBOX, want the message and the error notice", n)
	}
	if q, _ := e.queued(); len(q) != 1 {
		t.Errorf("a looping redirect was queued: %+v", q)
	}
	if se, _ := e.store.LastSieveError(context.Background(), e.alice.ID); se == nil || !strings.Contains(se.Msg, "loop") {
		t.Errorf("the loop is not recorded for the user: %+v", se)
	}
}

// The administrator's script runs before the user's: both scripts'
// actions happen, the implicit keep only if neither cancelled it, and an
// administrator's reject is final.
//
// spec: SV-14, SV-15, SV-33
func TestAdminScriptRunsFirst(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) }})
	ctx := context.Background()
	if _, err := e.store.CreateMailbox(ctx, e.alice.ID, "Work"); err != nil {
		t.Fatal(err)
	}
	admin := `require ["fileinto", "reject"];
if header :is "x-spam" "yes" { fileinto "Junk"; stop; }
if header :is "x-virus" "yes" { reject "virus found"; }`
	if _, err := sieve.Compile([]byte(admin), sieve.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAdminScript(ctx, []byte(admin)); err != nil {
		t.Fatal(err)
	}
	e.activate(e.alice, `require ["fileinto", "imap4flags"];
if header :contains "subject" "work" { fileinto "Work"; }
if header :contains "subject" "flag" { addflag "\\Flagged"; }`)
	deliver := func(subject, extra string) error {
		_, err := send(t, e.smtpClient(), "bob@example.net", []string{"alice@example.org"},
			[]byte("From: bob@example.net\r\nSubject: "+subject+"\r\n"+extra+"\r\nbody\r\n"))
		return err
	}
	counts := func() [3]int {
		return [3]int{len(e.mailboxFlags(e.alice, "INBOX")), len(e.mailboxFlags(e.alice, "Junk")), len(e.mailboxFlags(e.alice, "Work"))}
	}
	check := func(what string, want [3]int) {
		t.Helper()
		if got := counts(); got != want {
			t.Errorf("after %s: INBOX, Junk, Work hold %v, want %v", what, got, want)
		}
	}
	if err := deliver("hello", ""); err != nil {
		t.Fatal(err)
	}
	check("plain mail", [3]int{1, 0, 0})
	if err := deliver("work spam", "X-Spam: yes\r\n"); err != nil {
		t.Fatal(err)
	}
	check("spam about work", [3]int{1, 1, 1}) // stop ends the administrator's script only
	if err := deliver("spam", "X-Spam: yes\r\n"); err != nil {
		t.Fatal(err)
	}
	check("spam", [3]int{1, 2, 1}) // the administrator's fileinto cancelled the keep
	if err := deliver("flag me", ""); err != nil {
		t.Fatal(err)
	}
	if f := e.mailboxFlags(e.alice, "INBOX"); len(f) != 2 || !slices.Equal(f[1], []string{`\Flagged`}) {
		t.Errorf("the user's flags on the implicit keep: %v", f)
	}
	err := deliver("work", "X-Virus: yes\r\n")
	smtpErr(t, err, 550, "5.7.1")
	check("a virus", [3]int{2, 2, 1})
}

// Over SMTP, when one recipient's script rejects a message another
// recipient accepts, the reply is 250 and the sender gets a report: a DSN
// for ereject, an MDN with disposition "deleted" for reject, none for the
// null sender.
//
// spec: SV-31, SV-32
func TestRejectReportedWhenOthersAccept(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) }})
	e.activate(e.alice, `require ["reject", "ereject"];
if header :contains "subject" "hard" { ereject "No hard sells."; } else { reject "Not interested."; }`)
	msg := func(subject string) []byte {
		return []byte("From: seller@example.net\r\nTo: alice@example.org, bob@example.org\r\nSubject: " + subject +
			"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.net>\r\n\r\nbuy now\r\n")
	}
	both := []string{"alice@example.org", "bob@example.org"}
	if _, err := send(t, e.smtpClient(), "seller@example.net", both, msg("hard offer")); err != nil {
		t.Fatalf("ereject for one of two recipients: %v, want 250", err)
	}
	if _, err := send(t, e.smtpClient(), "seller@example.net", both, msg("soft offer")); err != nil {
		t.Fatalf("reject for one of two recipients: %v, want 250", err)
	}
	if _, err := send(t, e.smtpClient(), "", both, msg("hard bounce")); err != nil {
		t.Fatalf("from the null sender: %v", err)
	}
	if n := len(e.inbox(e.bob)); n != 3 {
		t.Errorf("bob has %d messages, want 3", n)
	}
	if n := len(e.inbox(e.alice)); n != 0 {
		t.Errorf("alice has %d messages, want 0", n)
	}
	q, raws := e.queued()
	if len(q) != 2 {
		t.Fatalf("%d reports queued, want 2 (none for the null sender): %+v", len(q), q)
	}
	for i, m := range q {
		if m.Origin != storage.OriginBounce || m.From != "" || !slices.Equal(m.To, []string{"seller@example.net"}) {
			t.Errorf("report %d envelope: %+v", i, m)
		}
	}
	for _, want := range []string{"report-type=delivery-status", "Final-Recipient: rfc822; alice@example.org", "Action: failed",
		"Status: 5.7.1", "Diagnostic-Code: smtp; 550 5.7.1 No hard sells.", "Message-ID: <hard.offer@example.net>"} {
		if !strings.Contains(raws[0], want) {
			t.Errorf("the DSN lacks %q:\n%s", want, raws[0])
		}
	}
	for _, want := range []string{"report-type=disposition-notification", "Not interested.", "Final-Recipient: rfc822; alice@example.org",
		"Original-Message-ID: <soft.offer@example.net>", "Disposition: automatic-action/MDN-sent-automatically; deleted"} {
		if !strings.Contains(raws[1], want) {
			t.Errorf("the MDN lacks %q:\n%s", want, raws[1])
		}
	}
	for i, raw := range raws {
		if _, err := mail.ReadMessage(strings.NewReader(raw)); err != nil || !strings.HasPrefix(raw, "Auto-Submitted: auto-replied\r\n") {
			t.Errorf("report %d is not a well-formed auto-reply: %v\n%s", i, err, raw)
		}
	}
}

// A notify action with the mailto method becomes a queued message: the
// null sender stays null, Auto-Submitted comes first, :message is the
// subject and a from in the URI is ignored. Automatic mail triggers none;
// a run notifies at most 3 addresses and an account at most 30 an hour.
//
// spec: NA-41, NA-43, NA-45, NA-46, NA-47, NA-48, NA-49, SV-60
func TestNotifyQueued(t *testing.T) {
	logs := &logBuffer{}
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter {
		return sieve.NewDeliverer(st, slog.New(slog.NewTextHandler(logs, nil)))
	}})
	e.activate(e.alice, `require ["enotify"];
if header :contains "subject" "many" {
  notify "mailto:a@example.net"; notify "mailto:b@example.net"; notify "mailto:c@example.net"; notify "mailto:d@example.net";
} else {
  notify :message "hi" "mailto:me@example.net?subject=x&from=evil@example.org";
}`)
	e.mustSend("", "alice@example.org", "From: x@example.net\r\nSubject: bounce\r\nReceived: from a by b; Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n")
	q, raws := e.queued()
	if len(q) != 1 || q[0].Origin != storage.OriginNotify || q[0].From != "" || !slices.Equal(q[0].To, []string{"me@example.net"}) {
		t.Fatalf("queue = %+v", q)
	}
	if !strings.HasPrefix(raws[0], "Auto-Submitted: auto-notified; owner-email=\"alice@example.org\"\r\n") {
		t.Errorf("Auto-Submitted is not the first field:\n%s", raws[0])
	}
	n, err := mail.ReadMessage(strings.NewReader(raws[0]))
	if err != nil {
		t.Fatal(err)
	}
	if s := n.Header.Get("Subject"); s != "hi" {
		t.Errorf("Subject = %q, want the :message", s)
	}
	if f := n.Header.Get("From"); strings.Contains(f, "evil") {
		t.Errorf("From = %q: the URI's from was used", f)
	}
	if n := len(e.inbox(e.alice)); n != 1 {
		t.Errorf("notify cancelled the implicit keep: INBOX holds %d", n)
	}

	e.mustSend("bob@example.net", "alice@example.org", "From: bob@example.net\r\nSubject: auto\r\nAuto-Submitted: auto-replied\r\n\r\nbody\r\n")
	if q, _ := e.queued(); len(q) != 1 {
		t.Errorf("an auto-replied message triggered a notification: %d queued", len(q))
	}
	e.mustSend("bob@example.net", "alice@example.org", "From: bob@example.net\r\nSubject: many\r\n\r\nbody\r\n")
	if q, _ := e.queued(); len(q) != 4 {
		t.Errorf("4 notifies in one run queued %d, want the first 3 (1 before)", len(q)-1)
	}
	for i := 0; i < 30; i++ {
		e.mustSend("bob@example.net", "alice@example.org", "From: bob@example.net\r\nSubject: one\r\n\r\nbody\r\n")
	}
	if q, _ := e.queued(); len(q) != 30 {
		t.Errorf("%d notifications queued within the hour, want 30", len(q))
	}
	// Every notify is logged with the user, the method, the message and
	// the outcome.
	for _, want := range []string{
		`msg="sieve notify" account=alice@example.org method="mailto:me@example.net?subject=x&from=evil@example.org" message_id="" outcome=queued`,
		`outcome="not sent: the message is automatic (Auto-Submitted)"`,
		`outcome="not sent: more than 30 notifications this hour"`,
		`msg="sieve notify dropped: too many in one run"`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}

// A reject reason of several lines is a multi-line reply; a long line is
// wrapped; a reason that cannot go into a reply gets a fixed text.
//
// spec: SV-30
func TestRejectReply(t *testing.T) {
	long := strings.Repeat("word ", 120)
	for _, tc := range []struct{ reason, want string }{
		{"No thanks.", "No thanks."},
		{"Line one.\r\nLine two.\r\n", "Line one.\nLine two."},
		{"  spaced \t out  ", "spaced out"},
		{long, strings.TrimSpace(strings.Repeat("word ", 80)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 40))},
		{"Zurück am Montag", "Rejected by the recipient's mail filter"},
		{strings.Repeat("x", 500), "Rejected by the recipient's mail filter"},
		{"", "Rejected by the recipient's mail filter"},
	} {
		r := rejectReply(tc.reason)
		if r.Code != 550 || r.EnhancedCode != (gosmtp.EnhancedCode{5, 7, 1}) || r.Message != tc.want {
			t.Errorf("rejectReply(%q) = %d %v %q, want 550 5.7.1 %q", tc.reason, r.Code, r.EnhancedCode, r.Message, tc.want)
		}
	}
}

// A reject whose reason cannot go into a reply (not ASCII) is accepted and
// answered with an MDN carrying the reason; an ereject is refused with a
// fixed text, never turned into something else.
//
// spec: SV-30, SV-32, SV-34
func TestRejectNonASCIIReason(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(st *storage.Store) DepositFilter { return sieve.NewDeliverer(st, nil) }})
	e.activate(e.alice, `require "reject"; reject "Zurück am Montag, danke.";`)
	e.activate(e.bob, `require "ereject"; ereject "Zurück am Montag.";`)
	c := e.lmtpClient()
	defer c.Close()
	if err := c.Mail("seller@example.net", nil); err != nil {
		t.Fatal(err)
	}
	for _, rcpt := range []string{"alice@example.org", "bob@example.org"} {
		if err := c.Rcpt(rcpt, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("From: seller@example.net\r\nSubject: offer\r\nMessage-ID: <o@example.net>\r\n\r\nbuy\r\n"))
	_, err = w.CloseWithLMTPResponse()
	var lerr gosmtp.LMTPDataError
	if !errors.As(err, &lerr) {
		t.Fatalf("LMTP DATA: %v, want bob refused", err)
	}
	if se := lerr["alice@example.org"]; se != nil {
		t.Errorf("alice (reject, non-ASCII reason): %v, want 250 and an MDN", se)
	}
	if se := lerr["bob@example.org"]; se == nil || se.Code != 550 || !strings.HasSuffix(se.Message, "Rejected by the recipient's mail filter") {
		t.Errorf("bob (ereject, non-ASCII reason): %v, want 550 with the fixed text", se)
	}
	if n := len(e.inbox(e.alice)) + len(e.inbox(e.bob)); n != 0 {
		t.Errorf("%d copies stored", n)
	}
	q, raws := e.queued()
	if len(q) != 1 || q[0].Origin != storage.OriginBounce || !slices.Equal(q[0].To, []string{"seller@example.net"}) {
		t.Fatalf("queue = %+v, want one MDN to the sender", q)
	}
	for _, want := range []string{"disposition-notification", "Zurück am Montag, danke.", "deleted", "Final-Recipient: rfc822; alice@example.org"} {
		if !strings.Contains(raws[0], want) {
			t.Errorf("the MDN lacks %q:\n%s", want, raws[0])
		}
	}
}

// vanishedMailbox is a filter that files into a mailbox that no longer
// exists when the message is stored (deleted after the script decided).
type vanishedMailbox struct{}

func (vanishedMailbox) Decide(_ context.Context, a storage.AccountID, _ sieve.Message, _ sieve.Envelope) *sieve.Decision {
	return &sieve.Decision{Targets: []storage.Target{{Account: a, Mailbox: "Deleted meanwhile"}}}
}

// A mailbox the script chose that cannot take the message when it is
// stored leaves the message in INBOX: it is stored at least once.
//
// spec: SV-24
func TestFiledIntoVanishedMailboxKeepsInInbox(t *testing.T) {
	e := newEnvWith(t, envOptions{filter: func(*storage.Store) DepositFilter { return vanishedMailbox{} }})
	e.mustSend("bob@example.net", "alice@example.org", "From: bob@example.net\r\nSubject: hi\r\n\r\nbody\r\n")
	if n := len(e.inbox(e.alice)); n != 1 {
		t.Errorf("INBOX holds %d messages, want the message kept there", n)
	}
}
