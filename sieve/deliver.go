package sieve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime/quotedprintable"
	"slices"
	"strings"
	"sync"
	"time"

	"zest/storage"
)

// Delivery-time filtering (the deposit filter, DF, of the profile-bis
// architecture): the account's active script decides where a message goes.
// The script runs to the end before anything happens (SV-22); any error —
// a script that no longer compiles, a run-time error, fileinto a mailbox
// that does not exist — drops its actions and keeps the message in INBOX
// (SV-16, SV-23), and the error is recorded for the user.

// Decision is what delivery does with a message for one account.
type Decision struct {
	// Targets are the mailboxes to store the message in, with their flags.
	// Empty when the script discarded, rejected or redirected without a
	// copy.
	Targets []storage.Target
	// Reject is set when the script rejected the message (RFC 5429).
	Reject *Reject
	// Redirects, Vacation and Notify are the outbound work the scripts
	// asked for, for the log; Vacation is set only when a reply is due.
	Redirects []Redirect
	Vacation  *Vacation
	Notify    []Notify
	// Outbound are the messages to queue once the message is delivered
	// (or deliberately not stored): the redirected copies and the
	// vacation reply, ready to send.
	Outbound []storage.Outgoing
	// Err is the script's failure; Targets then holds INBOX alone.
	Err error
	// Duplicates are the duplicate test's IDs to record once the message
	// was delivered as decided (Deliverer.Commit).
	Duplicates []storage.DuplicateMark
}

// Deliverer runs accounts' active scripts at delivery, compiling each once
// per version of the script.
type Deliverer struct {
	store *storage.Store
	log   *slog.Logger
	opts  Options
	// RunTimeout bounds one run (SV-27).
	RunTimeout time.Duration
	// Host names this server in the Message-IDs of the replies it writes.
	Host string
	// Location is the server's time zone for the date extension (nil: UTC).
	Location *time.Location
	// NotifyPerRun caps the mail notifications one delivery's scripts
	// send (NA-47); 0 means DefaultNotifyPerRun.
	NotifyPerRun int
	// Environment is what the environment test reports (host, domain,
	// version); a delivery's client comes with its context (WithRemote).
	Environment Environment

	mu    sync.Mutex
	cache map[storage.AccountID]compiled
	admin compiled // the administrator's script as last compiled
}

// compiled is an account's active script as last compiled.
type compiled struct {
	name    string
	updated time.Time
	script  *Script
	err     error
	// includes are the scripts the compile looked up (RFC 6609): the
	// entry is stale once one of them changed, appeared or disappeared.
	includes []includeVersion
}

// maxCachedScripts bounds the compiled scripts kept; past it the cache
// starts again (compiling takes a millisecond or two).
const maxCachedScripts = 1000

// NewDeliverer returns a Deliverer reading scripts from st.
func NewDeliverer(st *storage.Store, log *slog.Logger) *Deliverer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{store: st, log: log, RunTimeout: 2 * time.Second, cache: map[storage.AccountID]compiled{}}
}

// script returns the account's active script, compiled, or nil when it
// has none.
func (d *Deliverer) script(ctx context.Context, a storage.AccountID) (*Script, error) {
	active, err := d.store.ActiveScript(ctx, a)
	if err != nil || active == nil {
		return nil, err
	}
	d.mu.Lock()
	prev, ok := d.cache[a]
	d.mu.Unlock()
	c, fresh, err := d.compile(prev, ok && prev.name == active.Name, active, newStoreSource(ctx, d.store, a),
		fmt.Sprintf("script %q", active.Name))
	if err != nil {
		return nil, err
	}
	if !fresh {
		return c.script, c.err
	}
	d.mu.Lock()
	if len(d.cache) >= maxCachedScripts {
		clear(d.cache)
	}
	d.cache[a] = c
	d.mu.Unlock()
	return c.script, c.err
}

// compile returns prev when it is still current — the same version of the
// script and of every script it included — and else compiles sc again
// against src; fresh says the result should replace prev in the cache. The
// script's own compile error is c.err; err is a failure to read the store.
func (d *Deliverer) compile(prev compiled, same bool, sc *storage.SieveScript, src *storeSource, what string) (c compiled, fresh bool, err error) {
	if same && prev.updated.Equal(sc.Updated) && (prev.script != nil || prev.err != nil) {
		current, err := src.current(prev.includes)
		if err != nil {
			return compiled{}, false, err
		}
		if current {
			return prev, false, nil
		}
	}
	opts := d.opts
	opts.Includes = src
	s, cerr := Compile(sc.Content, opts)
	if cerr != nil {
		cerr = fmt.Errorf("%s does not compile: %w", what, cerr)
	}
	c = compiled{name: sc.Name, updated: sc.Updated, script: s, err: cerr, includes: src.read}
	// A storage failure while reading an included script says nothing
	// about the script: compile again next time.
	return c, !src.failed, nil
}

// adminScript returns the administrator's script, compiled, or nil.
func (d *Deliverer) adminScript(ctx context.Context) (*Script, error) {
	sc, err := d.store.AdminScript(ctx)
	if err != nil || sc == nil {
		return nil, err
	}
	d.mu.Lock()
	prev := d.admin
	d.mu.Unlock()
	// It may include the global scripts (RFC 6609 :global), not personal ones.
	src := newStoreSource(ctx, d.store, 0)
	src.globalOnly = true
	c, fresh, err := d.compile(prev, true, sc, src, "the administrator's script")
	if err != nil {
		return nil, err
	}
	if fresh {
		d.mu.Lock()
		d.admin = c
		d.mu.Unlock()
	}
	return c.script, c.err
}

// Decide runs the administrator's script (the administrative filter, AF)
// and then account a's active script on msg, and says where it goes.
// A delivery to several accounts builds msg once (NewRawMessage) and
// passes it to each. Decide never fails: a script that cannot decide
// leaves the message in INBOX, with the reason in Decision.Err.
func (d *Deliverer) Decide(ctx context.Context, a storage.AccountID, msg Message, env Envelope) *Decision {
	inbox := &Decision{Targets: []storage.Target{{Account: a, Mailbox: "INBOX"}}}
	admin, err := d.adminScript(ctx)
	var user *Script
	if err == nil {
		user, err = d.script(ctx, a)
	}
	if err == nil && admin == nil && user == nil {
		return inbox // no script: the implicit keep
	}
	if err == nil {
		var dec *Decision
		dec, err = d.run(ctx, a, admin, user, msg, env)
		if err == nil {
			return dec
		}
	}
	inbox.Err = err
	d.log.Warn("sieve: the message was kept in INBOX", "account", a, "err", err)
	if rerr := d.store.SetSieveError(ctx, a, err.Error()); rerr != nil {
		d.log.Warn("sieve: recording the error", "account", a, "err", rerr)
	}
	if nerr := d.notifyFailure(ctx, a, msg, err); nerr != nil {
		d.log.Warn("sieve: telling the user about the error", "account", a, "err", nerr)
	}
	return inbox
}

// NoticePeriod is how often at most a user is told by mail that the
// script failed; every failure is still logged and recorded.
const NoticePeriod = 24 * time.Hour

// notifyFailure puts a notice into the user's INBOX saying that the script
// failed and the message was kept there (SV-26): a user whose filter broke
// silently would otherwise wonder why mail stopped being sorted. One notice
// per NoticePeriod, so a script that fails on every message does not
// double the mail.
func (d *Deliverer) notifyFailure(ctx context.Context, a storage.AccountID, msg Message, failure error) error {
	due, err := d.store.SieveNoticeDue(ctx, a, NoticePeriod)
	if err != nil || !due {
		return err
	}
	acct, err := d.store.Account(ctx, a)
	if err != nil {
		return err
	}
	host := d.Host
	if host == "" {
		host = "localhost"
	}
	var b strings.Builder
	field := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	field("Auto-Submitted", "auto-generated")
	field("From", "Mail filter <MAILER-DAEMON@"+host+">")
	field("To", "<"+acct.Address+">")
	field("Subject", "Your mail filter failed; a message was kept in INBOX")
	field("Date", time.Now().Format(time.RFC1123Z))
	field("Message-ID", newMessageID(host))
	field("MIME-Version", "1.0")
	var text strings.Builder
	text.WriteString("Your Sieve filter could not decide what to do with a message,\r\n")
	text.WriteString("so the message was delivered to your INBOX and none of the\r\n")
	text.WriteString("filter's actions were carried out.\r\n\r\n")
	text.WriteString("The error: " + failure.Error() + "\r\n\r\n")
	text.WriteString("The message: from " + decodeHeader(firstRaw(msg, "from")) + ",\r\n")
	text.WriteString("subject \"" + decodeHeader(firstRaw(msg, "subject")) + "\"\r\n\r\n")
	text.WriteString("Until the filter is fixed, messages it fails on go to INBOX.\r\n")
	text.WriteString("You get this notice at most once a day; the latest error is\r\n")
	text.WriteString("always shown with your filter.\r\n")
	if isASCII(text.String()) {
		field("Content-Type", "text/plain; charset=us-ascii")
		b.WriteString("\r\n")
		b.WriteString(text.String())
	} else {
		field("Content-Type", "text/plain; charset=utf-8")
		field("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		w := quotedprintable.NewWriter(&b)
		if _, err := w.Write([]byte(text.String())); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	_, err = d.store.Deliver(ctx, storage.Incoming{Raw: []byte(b.String())}, []storage.Target{{Account: a, Mailbox: "INBOX"}})
	return err
}

// run runs the administrator's script and then the user's (either may be
// nil) and turns their actions into a Decision. The scripts run one after
// the other as the multiple-script model of Pigeonhole and the Sieve
// multiscript draft have it: each its own run, the actions added up, and
// the implicit keep only if neither script cancelled it. A reject by the
// administrator's script is final: the user's script does not run.
func (d *Deliverer) run(ctx context.Context, a storage.AccountID, admin, user *Script, msg Message, env Envelope) (*Decision, error) {
	ctx, cancel := context.WithTimeout(ctx, d.RunTimeout)
	defer cancel()
	in := &Input{Message: msg, Envelope: env, MailboxExists: func(name string) bool {
		// A lookup that fails for another reason than absence counts as
		// absent: the script then takes its no-mailbox branch.
		_, err := d.store.MailboxByName(ctx, a, storage.CanonicalMailboxName(name))
		return err == nil
	}, Duplicates: storeDuplicates{d.store, a}, Environment: d.environment(ctx), Location: d.Location}
	// Only replies and notifications need the account and its addresses:
	// other scripts cost no reads beyond their own.
	var acct *storage.Account
	if requires(admin, "vacation") || requires(user, "vacation") || requires(admin, "enotify") || requires(user, "enotify") {
		var err error
		if acct, err = d.store.Account(ctx, a); err != nil {
			return nil, err
		}
		if in.UserAddresses, err = d.ownAddresses(ctx, acct); err != nil {
			return nil, err
		}
	}
	var actions []Action
	var marks []DuplicateMark
	if admin != nil {
		res, err := admin.Run(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("the administrator's script: %w", err)
		}
		actions, marks = res.Actions, res.Duplicates
		if user != nil && res.keepAppended {
			actions = actions[:len(actions)-1] // the user's script decides about it
		}
		if slices.ContainsFunc(actions, func(x Action) bool { _, ok := x.(Reject); return ok }) {
			user = nil
		}
		if user != nil {
			res2, err := user.Run(ctx, in)
			if err != nil {
				return nil, err
			}
			more := res2.Actions
			if !res.ImplicitKeep && res2.keepAppended {
				more = more[:len(more)-1] // the administrator's script cancelled it
			}
			actions = append(actions, more...)
			marks = append(marks, res2.Duplicates...)
			if err := checkCombined(actions); err != nil {
				return nil, err
			}
		}
	} else {
		res, err := user.Run(ctx, in)
		if err != nil {
			return nil, err
		}
		actions, marks = res.Actions, res.Duplicates
	}
	dec := &Decision{Duplicates: storageMarks(marks)}
	stored := map[string]int{} // mailbox -> index in dec.Targets (SV-15 across scripts)
	target := func(t storage.Target) {
		if i, ok := stored[t.Mailbox]; ok {
			dec.Targets[i].Flags = t.Flags
			dec.Targets[i].Create = dec.Targets[i].Create || t.Create
			return
		}
		stored[t.Mailbox] = len(dec.Targets)
		dec.Targets = append(dec.Targets, t)
	}
	notified := 0
	for _, act := range actions {
		switch act := act.(type) {
		case Keep:
			target(storage.Target{Account: a, Mailbox: "INBOX", Flags: act.Flags})
		case FileInto:
			name := storage.CanonicalMailboxName(act.Mailbox)
			if !act.Create {
				// fileinto a mailbox that does not exist is an error found
				// while evaluating (SV-16): nothing of the script happens.
				if _, err := d.store.MailboxByName(ctx, a, name); errors.Is(err, storage.ErrNoSuchMailbox) {
					return nil, fmt.Errorf("fileinto %q: no such mailbox (use :create to make it)", act.Mailbox)
				} else if err != nil {
					return nil, err
				}
			}
			target(storage.Target{Account: a, Mailbox: name, Flags: act.Flags, Create: act.Create})
		case Redirect:
			out, err := redirected(msg, env, act.Address)
			if err != nil {
				return nil, err
			}
			out.Account = a
			dec.Redirects = append(dec.Redirects, act)
			dec.Outbound = append(dec.Outbound, out)
		case Discard:
		case Reject:
			r := act
			dec.Reject = &r
		case Vacation:
			due, err := d.vacationDue(ctx, a, act)
			if err != nil {
				return nil, err
			}
			if due {
				reply, err := BuildVacationReply(act, msg, ReplyInfo{
					User: acct.Address, Own: in.UserAddresses,
					Now: time.Now(), Host: d.Host,
				})
				if err != nil {
					return nil, err
				}
				v := act
				dec.Vacation = &v
				dec.Outbound = append(dec.Outbound, storage.Outgoing{
					Account: a, Origin: storage.OriginVacation, To: []string{act.To}, Raw: reply,
				})
			}
		case Notify:
			if notified >= d.notifyPerRun() {
				d.log.Info("sieve notify dropped: too many in one run", "account", acct.Address, "method", act.Method, "cap", d.notifyPerRun())
				continue
			}
			out, err := d.notification(ctx, acct, in.UserAddresses, act, msg, env)
			if err != nil {
				return nil, err
			}
			if out != nil {
				notified++
				dec.Notify = append(dec.Notify, act)
				dec.Outbound = append(dec.Outbound, *out)
			}
		default:
			return nil, fmt.Errorf("action %s has no delivery", act)
		}
	}
	return dec, nil
}

// Mail notification limits (NA-47): per run unless Deliverer.NotifyPerRun
// says otherwise, and per account and hour.
const (
	DefaultNotifyPerRun  = 3
	DefaultNotifyPerHour = 30
)

func (d *Deliverer) notifyPerRun() int {
	if d.NotifyPerRun > 0 {
		return d.NotifyPerRun
	}
	return DefaultNotifyPerRun
}

// notification turns a notify action into the mail it sends (RFC 5436,
// NA-41..NA-49), or nil when none goes out: the trigger was itself
// automatic mail, nobody is left to notify, or the account used up its
// hourly allowance. Every outcome is logged (NA-48).
func (d *Deliverer) notification(ctx context.Context, acct *storage.Account, own []string, n Notify, msg Message, env Envelope) (*storage.Outgoing, error) {
	logged := func(outcome string) {
		d.log.Info("sieve notify", "account", acct.Address, "method", n.Method,
			"message_id", firstHeader(msg, "message-id"), "outcome", outcome)
	}
	if scheme, _, _ := strings.Cut(n.Method, ":"); !strings.EqualFold(scheme, "mailto") {
		logged("recorded: no sender for this method yet")
		return nil, nil
	}
	if IsAutoSubmitted(msg) {
		logged("not sent: the message is automatic (Auto-Submitted)")
		return nil, nil
	}
	if _, ok := ownAddress(n.From, own); n.From != "" && !ok {
		n.From = "" // only one of the user's own addresses may stand as sender
	}
	built, err := BuildMailtoNotification(n, MailtoInput{User: acct.Address, Message: msg, EnvelopeFrom: env.From, Now: time.Now(), Host: d.Host})
	if errors.Is(err, ErrNoRecipients) {
		logged("not sent: no recipient left")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("notify %s: %w", n.Method, err)
	}
	allowed, err := d.store.NotifyAllowed(ctx, acct.ID, DefaultNotifyPerHour)
	if err != nil {
		return nil, err
	}
	if !allowed {
		logged(fmt.Sprintf("not sent: more than %d notifications this hour", DefaultNotifyPerHour))
		return nil, nil
	}
	logged("queued")
	return &storage.Outgoing{Account: acct.ID, Origin: storage.OriginNotify, From: built.From, To: built.Recipients, Raw: built.Message}, nil
}

// requires says whether s (which may be nil), or a script it includes,
// requires capability c.
func requires(s *Script, c string) bool {
	return s != nil && s.uses(c)
}

// checkCombined applies SV-33 to the actions of the two scripts together:
// a reject cannot stand beside a store or a redirect of the other script.
func checkCombined(actions []Action) error {
	rejects := 0
	for _, x := range actions {
		if _, ok := x.(Reject); ok {
			rejects++
		}
	}
	if rejects == 0 {
		return nil
	}
	if rejects > 1 {
		return errors.New("more than one reject or ereject")
	}
	for _, x := range actions {
		switch x.(type) {
		case Keep, FileInto, Redirect, Vacation:
			return fmt.Errorf("reject cannot be combined with %s of the other script", strings.Fields(x.String())[0])
		}
	}
	return nil
}

// ownAddresses are the account's addresses: its login address and
// the aliases that lead to it (catch-alls excepted, since they would make
// every address of the domain the user's own).
func (d *Deliverer) ownAddresses(ctx context.Context, acct *storage.Account) ([]string, error) {
	aliases, err := d.store.Aliases(ctx)
	if err != nil {
		return nil, err
	}
	own := []string{acct.Address}
	for _, al := range aliases {
		if strings.HasPrefix(al.From, "@") {
			continue
		}
		for _, to := range al.To {
			if strings.EqualFold(to, acct.Address) {
				own = append(own, al.From)
				break
			}
		}
	}
	return own, nil
}

// redirected is the message as it goes out to address (SV-17): the bytes
// it arrived with and the trace fields this delivery added, without the
// final-delivery Return-Path, from the original envelope sender. A
// Delivered-To naming the address already means the message went there
// before: redirecting it again would loop (SV-18).
func redirected(msg Message, env Envelope, address string) (storage.Outgoing, error) {
	for _, v := range msg.Header("delivered-to") {
		if strings.EqualFold(strings.Trim(unfold(v), "<>"), address) {
			return storage.Outgoing{}, fmt.Errorf("redirect to %s: the message was delivered there before (a mail loop)", address)
		}
	}
	raw, err := msg.Body()
	if err != nil {
		return storage.Outgoing{}, err
	}
	if bytes.HasPrefix(raw, []byte("Return-Path:")) {
		if i := bytes.Index(raw, []byte("\r\n")); i >= 0 {
			raw = raw[i+2:]
		}
	}
	return storage.Outgoing{Origin: storage.OriginRedirect, From: env.From, To: []string{address}, Raw: raw}, nil
}

// vacationDue applies the response log (RFC 5230 §4.2): one reply per
// sender and reply identity per period. The identity is :handle when
// given, else the reply's subject, from, text and :mime.
func (d *Deliverer) vacationDue(ctx context.Context, a storage.AccountID, v Vacation) (bool, error) {
	if v.To == "" {
		return false, nil // the null sender is never answered (RFC 5230 §4.6)
	}
	handle := v.Identity
	if handle == "" {
		handle = fmt.Sprintf("%q %q %q %t", v.Subject, v.From, v.Reason, v.Mime)
	}
	period := time.Duration(v.Days) * 24 * time.Hour
	if v.Seconds > 0 {
		period = time.Duration(v.Seconds) * time.Second
	}
	period = min(max(period, time.Second), storage.MaxVacationPeriod)
	return d.store.VacationDue(ctx, a, v.To, handle, period)
}

// rawMessage is a Message over the raw bytes of a message, its header
// fields indexed once.
type rawMessage struct {
	raw    []byte
	fields map[string][]string // lower-case name -> raw values, in order
}

// NewRawMessage returns a Message reading msg, a whole RFC 5322 message.
func NewRawMessage(msg []byte) Message {
	m := &rawMessage{raw: msg, fields: map[string][]string{}}
	rest := msg
	var name string
	var value []byte
	flush := func() {
		if name != "" {
			key := strings.ToLower(name)
			m.fields[key] = append(m.fields[key], string(bytes.TrimRight(value, "\r\n")))
		}
		name, value = "", nil
	}
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break // the end of the header
		}
		if line[0] == ' ' || line[0] == '\t' {
			value = append(value, line...) // a folded continuation
			continue
		}
		flush()
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue // not a field; ignored as most parsers do
		}
		name = string(bytes.TrimRight(line[:colon], " \t"))
		value = append([]byte(nil), line[colon+1:]...)
	}
	flush()
	return m
}

func (m *rawMessage) Header(name string) []string { return m.fields[strings.ToLower(name)] }
func (m *rawMessage) Size() int64                 { return int64(len(m.raw)) }
func (m *rawMessage) Body() ([]byte, error)       { return m.raw, nil }
