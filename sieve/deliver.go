package sieve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// Redirects, Vacation and Notify are outbound work. Until zest sends
	// mail, delivery records and logs them.
	Redirects []Redirect
	Vacation  *Vacation
	Notify    []Notify
	// Err is the script's failure; Targets then holds INBOX alone.
	Err error
}

// Deliverer runs accounts' active scripts at delivery, compiling each once
// per version of the script.
type Deliverer struct {
	store *storage.Store
	log   *slog.Logger
	opts  Options
	// RunTimeout bounds one run (SV-27).
	RunTimeout time.Duration

	mu    sync.Mutex
	cache map[storage.AccountID]compiled
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
	c, ok := d.cache[a]
	d.mu.Unlock()
	src := newStoreSource(ctx, d.store, a)
	if ok && c.name == active.Name && c.updated.Equal(active.Updated) {
		same, err := src.current(c.includes)
		if err != nil {
			return nil, err
		}
		if same {
			return c.script, c.err
		}
	}
	opts := d.opts
	opts.Includes = src
	s, err := Compile(active.Content, opts)
	if err != nil {
		err = fmt.Errorf("script %q does not compile: %w", active.Name, err)
	}
	if src.failed {
		return s, err // a storage failure, not the script's: compile again next time
	}
	d.mu.Lock()
	if len(d.cache) >= maxCachedScripts {
		clear(d.cache)
	}
	d.cache[a] = compiled{name: active.Name, updated: active.Updated, script: s, err: err, includes: src.read}
	d.mu.Unlock()
	return s, err
}

// Decide runs account a's active script on msg and says where it goes.
// A delivery to several accounts builds msg once (NewRawMessage) and
// passes it to each. Decide never fails: a script that cannot decide
// leaves the message in INBOX, with the reason in Decision.Err.
func (d *Deliverer) Decide(ctx context.Context, a storage.AccountID, msg Message, env Envelope) *Decision {
	inbox := &Decision{Targets: []storage.Target{{Account: a, Mailbox: "INBOX"}}}
	s, err := d.script(ctx, a)
	if err == nil && s == nil {
		return inbox // no script: the implicit keep
	}
	if err == nil {
		var dec *Decision
		dec, err = d.run(ctx, a, s, msg, env)
		if err == nil {
			return dec
		}
	}
	inbox.Err = err
	d.log.Warn("sieve: the message was kept in INBOX", "account", a, "err", err)
	if rerr := d.store.SetSieveError(ctx, a, err.Error()); rerr != nil {
		d.log.Warn("sieve: recording the error", "account", a, "err", rerr)
	}
	return inbox
}

func (d *Deliverer) run(ctx context.Context, a storage.AccountID, s *Script, msg Message, env Envelope) (*Decision, error) {
	ctx, cancel := context.WithTimeout(ctx, d.RunTimeout)
	defer cancel()
	in := &Input{Message: msg, Envelope: env, MailboxExists: func(name string) bool {
		// A lookup that fails for another reason than absence counts as
		// absent: the script then takes its no-mailbox branch.
		_, err := d.store.MailboxByName(ctx, a, storage.CanonicalMailboxName(name))
		return err == nil
	}}
	res, err := s.Run(ctx, in)
	if err != nil {
		return nil, err
	}
	dec := &Decision{}
	for _, act := range res.Actions {
		switch act := act.(type) {
		case Keep:
			dec.Targets = append(dec.Targets, storage.Target{Account: a, Mailbox: "INBOX", Flags: act.Flags})
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
			dec.Targets = append(dec.Targets, storage.Target{Account: a, Mailbox: name, Flags: act.Flags, Create: act.Create})
		case Redirect:
			dec.Redirects = append(dec.Redirects, act)
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
				v := act
				dec.Vacation = &v
			}
		case Notify:
			dec.Notify = append(dec.Notify, act)
		default:
			return nil, fmt.Errorf("action %s has no delivery", act)
		}
	}
	return dec, nil
}

// vacationDue applies the response log (RFC 5230 §4.2): one reply per
// sender and reply identity per period. The identity is :handle when
// given, else the reply's subject, from, text and :mime.
func (d *Deliverer) vacationDue(ctx context.Context, a storage.AccountID, v Vacation) (bool, error) {
	if v.To == "" {
		return false, nil // the null sender is never answered (RFC 5230 §4.6)
	}
	handle := v.Handle
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
