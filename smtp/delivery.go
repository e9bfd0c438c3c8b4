package smtp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"zest/sieve"
	"zest/storage"
)

// mailStore is what a delivery needs from the store. *storage.Store is
// one; tests put a failing one in its place.
type mailStore interface {
	ResolveRecipient(ctx context.Context, address string) ([]storage.Recipient, error)
	Deliver(ctx context.Context, in storage.Incoming, targets []storage.Target) ([]storage.Stored, error)
	// Enqueue queues the outbound mail a recipient's filter produced.
	Enqueue(ctx context.Context, msgs ...storage.Outgoing) ([]uint64, error)
}

var _ mailStore = (*storage.Store)(nil)

// spaceChecker is implemented by a store that can tell ahead of a message
// whether it has room for it.
type spaceChecker interface {
	CheckSpace(need int64) error
}

var _ spaceChecker = (*storage.Store)(nil)

// delivery is one mail transaction on its way into the store: begun by
// MAIL, given recipients by RCPT, committed once at the end of the message.
// It is the seam between the protocol and the store; a Sieve deposit
// filter will choose each account's targets in commit.
type delivery struct {
	store   mailStore
	id      string // names the transaction in the Received header, the reply and the log
	from    string // reverse-path; "" is the null sender
	helo    string // the client's EHLO/LHLO name when MAIL came
	utf8    bool   // MAIL FROM had SMTPUTF8
	size    int64  // MAIL FROM's SIZE, 0 if not given
	started time.Time
	rcpts   []recipient // accepted, in RCPT order, repeats included
	filter  DepositFilter
	log     *slog.Logger
	remote  net.Addr // the client, for the environment test's remote-ip
	host    string   // this server's name, in the reports it writes

	// After DATA: the message, when it came, and each recipient's
	// outcome, for the report of failures (bounce.go).
	msg      []byte
	received time.Time
	outcomes []error
}

// recipient is one accepted RCPT.
type recipient struct {
	address string // as the client gave it: go-smtp keys LMTP statuses by it
	reaches []storage.Recipient
}

func newDelivery(store mailStore, from, helo string, utf8 bool, size int64) *delivery {
	return &delivery{store: store, id: newID(), from: from, helo: helo, utf8: utf8, size: size, started: time.Now()}
}

// addRecipient resolves address (aliases, +detail, catch-all) and adds it.
// The error wraps storage.ErrNotLocal, ErrUnknownRecipient or
// ErrAccountDisabled for an address refused, or is a *storeFailure.
func (d *delivery) addRecipient(ctx context.Context, address string) error {
	reaches, err := d.store.ResolveRecipient(ctx, address)
	switch {
	case errors.Is(err, storage.ErrNotLocal), errors.Is(err, storage.ErrUnknownRecipient), errors.Is(err, storage.ErrAccountDisabled):
		return err
	case err != nil:
		return &storeFailure{err}
	case len(reaches) == 0:
		return &storeFailure{fmt.Errorf("%s resolved to no account", address)}
	}
	d.rcpts = append(d.rcpts, recipient{address: address, reaches: reaches})
	return nil
}

// addresses returns the distinct recipient addresses, compared without
// case, in RCPT order.
func (d *delivery) addresses() []string {
	var out []string
next:
	for _, r := range d.rcpts {
		for _, a := range out {
			if strings.EqualFold(a, r.address) {
				continue next
			}
		}
		out = append(out, r.address)
	}
	return out
}

// commit stores msg once for every account the recipients reach: one
// storage.Deliver call, one durable commit, one shared body, one copy per
// target however many recipients lead to it. Each account's filter (its
// Sieve script) chooses the account's targets first; a rejection becomes
// that account's refusal and a discard its silent success. It returns the
// outcome of each recipient, in RCPT order (nil: done), and the store's
// result for each target, for the log.
func (d *delivery) commit(ctx context.Context, msg []byte) ([]error, []storage.Stored) {
	var targets []storage.Target
	var parsed sieve.Message                     // the header fields, indexed once for every account's script
	decided := make(map[storage.AccountID]error) // reject or nil, for accounts not stored
	var outbound []storage.Outgoing              // redirects and replies, queued once delivery succeeds
	decisions := make(map[storage.AccountID]*sieve.Decision)
	// No verified host name: remote-host is "" (RFC 5183 §4.1 allows it).
	filterCtx := sieve.WithRemote(ctx, remoteIP(d.remote), "")
	seen := make(map[storage.AccountID]bool)
	for _, r := range d.rcpts {
		for _, to := range r.reaches {
			if seen[to.Account.ID] {
				continue
			}
			seen[to.Account.ID] = true
			if d.filter == nil {
				targets = append(targets, storage.Target{Account: to.Account.ID})
				continue
			}
			if parsed == nil {
				parsed = sieve.NewRawMessage(msg)
			}
			dec := d.filter.Decide(filterCtx, to.Account.ID, parsed, sieve.Envelope{From: d.from, To: r.address})
			decisions[to.Account.ID] = dec
			d.logDecision(to.Account, dec)
			if dec.Reject == nil {
				outbound = append(outbound, dec.Outbound...)
			}
			switch {
			case dec.Reject != nil && !dec.Reject.Extended && !fitsReply(dec.Reject.Reason):
				// A reject whose reason no reply can carry is accepted
				// and answered with an MDN instead (RFC 5429 §2.2.1,
				// SV-32); never silently turned into an ereject (SV-34).
				decided[to.Account.ID] = nil
				if d.from != "" {
					f := failedRecipient{address: r.address, reject: &rejected{reason: dec.Reject.Reason}}
					outbound = append(outbound, storage.Outgoing{Account: to.Account.ID, Origin: storage.OriginBounce,
						To: []string{d.from}, Raw: rejectMDN(d.host, d.from, f, msg)})
				}
			case dec.Reject != nil:
				decided[to.Account.ID] = &rejected{reason: dec.Reject.Reason, extended: dec.Reject.Extended}
			case len(dec.Targets) == 0:
				decided[to.Account.ID] = nil // discarded or redirected: done
			default:
				targets = append(targets, dec.Targets...)
			}
		}
	}
	outcomes := make([]error, len(d.rcpts))
	var stored []storage.Stored
	var err error
	if len(targets) > 0 {
		stored, err = d.store.Deliver(ctx, storage.Incoming{Raw: msg, Kind: storage.MessageNew}, targets)
		if err == nil && len(stored) != len(targets) {
			err = fmt.Errorf("deliver returned %d results for %d targets", len(stored), len(targets))
		}
	}
	if err != nil {
		for i := range outcomes {
			outcomes[i] = &storeFailure{err}
		}
		return outcomes, nil
	}
	stored = d.keepUnstored(ctx, msg, stored)
	result := make(map[storage.AccountID]error, len(stored)+len(decided))
	for _, st := range stored {
		// An account's copy is done when any of its targets took it.
		if prev, ok := result[st.Account]; !ok || prev != nil {
			result[st.Account] = st.Err
		}
	}
	for a, err := range decided {
		result[a] = err
	}
	d.enqueue(ctx, outbound, result)
	for i, r := range d.rcpts {
		outcomes[i] = outcome(r, result)
	}
	d.commitDecisions(ctx, decisions, result)
	return outcomes, stored
}

// commitDecisions tells the filter which accounts' copies were delivered
// as their scripts decided (stored, discarded, redirected or rejected), so
// it records what must outlive the delivery (the Sieve duplicate list).
// The message is safe by now: a failure is logged, not answered.
func (d *delivery) commitDecisions(ctx context.Context, decisions map[storage.AccountID]*sieve.Decision, result map[storage.AccountID]error) {
	c, ok := d.filter.(DepositCommitter)
	if !ok {
		return
	}
	for a, dec := range decisions {
		var rej *rejected
		if err := result[a]; err != nil && !errors.As(err, &rej) {
			continue
		}
		if err := c.Commit(ctx, a, dec); err != nil && d.log != nil {
			d.log.Warn("sieve commit", "id", d.id, "account", a, "err", err)
		}
	}
}

// remoteIP is the client's IP address as the environment test shows it,
// "" when the connection has none.
func remoteIP(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && t.IP != nil {
		return t.IP.String()
	}
	return ""
}

// keepUnstored stores in INBOX the copy of every account none of whose
// targets could take it (a mailbox the script named was deleted meanwhile):
// a message is stored at least once (SV-24). Temporary failures are left
// as they are, so the client retries.
func (d *delivery) keepUnstored(ctx context.Context, msg []byte, stored []storage.Stored) []storage.Stored {
	ok := map[storage.AccountID]bool{}
	for _, st := range stored {
		if st.Err == nil {
			ok[st.Account] = true
		}
	}
	var retry []storage.Target
	for _, st := range stored {
		// A mailbox the script chose that is gone will not come back on a
		// retry, so it counts as permanent here.
		gone := errors.Is(st.Err, storage.ErrNoSuchMailbox)
		if st.Err != nil && !ok[st.Account] && (gone || !temporary(reply(st.Err, 0))) && st.Mailbox != "" && !storage.IsInbox(st.Mailbox) {
			ok[st.Account] = true // once
			retry = append(retry, storage.Target{Account: st.Account})
		}
	}
	if len(retry) == 0 {
		return stored
	}
	again, err := d.store.Deliver(ctx, storage.Incoming{Raw: msg, Kind: storage.MessageNew}, retry)
	if err != nil {
		return stored
	}
	return append(stored, again...)
}

// enqueue puts the redirects and replies of the accounts whose delivery
// succeeded into the outbound queue, in one commit. If the queue cannot
// take them, those accounts fail temporarily: the client retries, which
// may store a second copy but never loses a redirected message.
func (d *delivery) enqueue(ctx context.Context, outbound []storage.Outgoing, result map[storage.AccountID]error) {
	var ready []storage.Outgoing
	for _, o := range outbound {
		if err, ok := result[o.Account]; ok && err == nil {
			ready = append(ready, o)
		}
	}
	if len(ready) == 0 {
		return
	}
	if _, err := d.store.Enqueue(ctx, ready...); err != nil {
		for _, o := range ready {
			result[o.Account] = &storeFailure{err}
		}
		if d.log != nil {
			d.log.Warn("queueing the filter's outbound mail failed", "id", d.id, "err", err)
		}
	}
}

// logDecision records what a script decided beyond storing: redirects,
// vacation replies and notifications, for the administrator.
func (d *delivery) logDecision(a *storage.Account, dec *sieve.Decision) {
	if d.log == nil {
		return
	}
	for _, r := range dec.Redirects {
		d.log.Info("sieve redirect queued", "id", d.id, "user", a.Address, "to", r.Address)
	}
	if dec.Vacation != nil {
		d.log.Info("sieve vacation reply queued", "id", d.id, "user", a.Address, "to", dec.Vacation.To)
	}
	for _, n := range dec.Notify {
		d.log.Info("sieve notification queued", "id", d.id, "user", a.Address, "method", n.Method)
	}
}

// rejected is a Sieve reject or ereject: the recipient is refused with
// 550 5.7.1 and the script's reason (RFC 5429 §2.1, §2.2).
type rejected struct {
	reason   string
	extended bool
}

func (r *rejected) Error() string { return "rejected by the recipient's filter: " + r.reason }

// outcome combines the results of the accounts one recipient reaches (more
// than one through an alias). Stored everywhere: nil. A temporary failure
// anywhere: that failure, so the client retries; a retry may duplicate the
// copies already stored, which is better than losing one. Only permanent
// failures: the first if nothing was stored, else nil, since refusing would
// bounce a message that reached the others.
func outcome(r recipient, result map[storage.AccountID]error) error {
	var first error
	failed := 0
	for _, to := range r.reaches {
		err := result[to.Account.ID]
		if err == nil {
			continue
		}
		if temporary(reply(err, 0)) {
			return err
		}
		failed++
		if first == nil {
			first = err
		}
	}
	if failed == len(r.reaches) {
		return first
	}
	return nil
}
