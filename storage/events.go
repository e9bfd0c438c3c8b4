package storage

import (
	"sync"
)

// EventKind names a message-store event of RFC 5423 §4.
type EventKind uint8

const (
	MessageNew     EventKind = iota + 1 // delivered by SMTP/LMTP
	MessageAppend                       // added by a client (APPEND, COPY, MOVE)
	MessageExpunge                      // removed from a mailbox
	FlagsSet                            // flags added (MessageRead and MessageTrash are FlagsSet of \Seen and \Deleted)
	FlagsClear                          // flags removed
	MailboxCreate
	MailboxDelete
	MailboxRename
	MailboxSubscribe
	MailboxUnSubscribe
	AccountDelete // not in RFC 5423: tells sessions of a deleted account to end
	// zest's, not in RFC 5423: a Client-ID (CLIENTID) came online or went
	// offline. They record no stored change, so they are published at once
	// and only in this process, like the registry they come from.
	ClientOnline
	ClientOffline
)

var eventNames = map[EventKind]string{
	MessageNew: "MessageNew", MessageAppend: "MessageAppend", MessageExpunge: "MessageExpunge",
	FlagsSet: "FlagsSet", FlagsClear: "FlagsClear", MailboxCreate: "MailboxCreate",
	MailboxDelete: "MailboxDelete", MailboxRename: "MailboxRename", MailboxSubscribe: "MailboxSubscribe",
	MailboxUnSubscribe: "MailboxUnSubscribe", AccountDelete: "AccountDelete",
	ClientOnline: "vnd.zest.ClientOnline", ClientOffline: "vnd.zest.ClientOffline",
}

func (k EventKind) String() string {
	if n, ok := eventNames[k]; ok {
		return n
	}
	return "EventKind(?)"
}

// Event is one committed change. Events are published only after the change
// is durable, and in commit order, so a consumer that applies them in the
// order received never sees an effect before its cause.
type Event struct {
	Kind        EventKind
	Account     AccountID
	Mailbox     MailboxID
	MailboxName string // for renames, the new name
	OldName     string // MailboxRename only
	UIDValidity uint32
	UIDs        []UID
	ModSeq      uint64   // the mailbox's HIGHESTMODSEQ after the change
	Flags       []string // FlagsSet/FlagsClear: the flags that changed
	ClientID    string   // ClientOnline/ClientOffline
}

// Subscription receives the events of one account (or of all accounts).
// A consumer that falls more than its buffer behind loses events; it is told
// by Overflowed and must then re-read state from the store, which is always
// the truth. Delivery never waits for a slow consumer.
type Subscription struct {
	C       <-chan Event
	c       chan Event
	account AccountID
	hub     *hub

	mu         sync.Mutex
	overflowed bool
	closed     bool
}

// Overflowed reports, and clears, whether events were dropped since the last call.
func (s *Subscription) Overflowed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.overflowed
	s.overflowed = false
	return o
}

// Close stops the subscription. C is not closed, so a pending receive in a
// select with another case stays safe.
func (s *Subscription) Close() {
	s.hub.remove(s)
}

type hub struct {
	mu   sync.RWMutex
	subs map[AccountID]map[*Subscription]struct{} // 0 = every account
}

func newHub() *hub { return &hub{subs: make(map[AccountID]map[*Subscription]struct{})} }

func (h *hub) add(account AccountID, buffer int) *Subscription {
	c := make(chan Event, buffer)
	s := &Subscription{C: c, c: c, account: account, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.subs[account]
	if m == nil {
		m = make(map[*Subscription]struct{})
		h.subs[account] = m
	}
	m[s] = struct{}{}
	return s
}

func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[s.account], s)
	if len(h.subs[s.account]) == 0 {
		delete(h.subs, s.account)
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (h *hub) publish(ev Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs[ev.Account] {
		s.send(ev)
	}
	for s := range h.subs[0] {
		s.send(ev)
	}
}

func (s *Subscription) send(ev Event) {
	select {
	case s.c <- ev:
	default:
		s.mu.Lock()
		s.overflowed = true
		s.mu.Unlock()
	}
}

// Subscribe returns a subscription to the events of account, or of every
// account when account is 0, buffering up to buffer events.
func (s *Store) Subscribe(account AccountID, buffer int) *Subscription {
	if buffer < 1 {
		buffer = 256
	}
	return s.hub.add(account, buffer)
}
