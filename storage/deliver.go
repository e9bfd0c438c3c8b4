package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"zest/storage/mimeinfo"
)

// Incoming is a message to be stored in one or more mailboxes.
type Incoming struct {
	Raw []byte
	// InternalDate is the IMAP internal date; zero means now.
	InternalDate time.Time
	// Kind is MessageNew for mail delivered over SMTP/LMTP and MessageAppend
	// for a message a client adds (IMAP APPEND); it is the event published.
	Kind EventKind
}

// Target is one mailbox a message goes to.
type Target struct {
	Account AccountID
	Mailbox string // "" means INBOX
	Flags   []string
	// Create makes a missing mailbox (Sieve fileinto :create); otherwise a
	// missing mailbox is that target's error.
	Create bool
}

// Stored is the outcome for one Target.
type Stored struct {
	Target
	MailboxID   MailboxID
	MailboxName string
	UIDValidity uint32
	UID         UID
	ModSeq      uint64
	Err         error // nil when stored
}

// Deliver stores a message in every target in one commit: the body is
// parsed and written once, shared by all targets; each target gets its own
// UID and mod-sequence. When Deliver returns, every target with a nil Err is
// durable on disk. A target that cannot be stored (its mailbox is missing,
// its account is gone) gets its own Err without failing the others; the
// returned error is for failures of the whole write (disk full, closed).
func (s *Store) Deliver(ctx context.Context, in Incoming, targets []Target) ([]Stored, error) {
	if in.InternalDate.IsZero() {
		in.InternalDate = s.now()
	}
	if in.Kind == 0 {
		in.Kind = MessageNew
	}
	// The expensive part, hashing and parsing, happens here in the caller's
	// goroutine, so concurrent deliveries do it in parallel and the writer
	// only copies bytes.
	hash := BlobHash(sha256.Sum256(in.Raw))
	parsed := mimeinfo.Parse(in.Raw)
	info := parsed.AppendBinary(nil)
	flags := make([]Flags, len(targets))
	for i, t := range targets {
		flags[i] = ParseFlags(t.Flags)
	}
	results := make([]Stored, len(targets))
	err := s.writeSized(ctx, "deliver", 2*int64(len(in.Raw))+int64(len(info))+4<<10, func(tx *wtx) error {
		touched := map[MailboxID]*Mailbox{}
		var order []*Mailbox
		stored := uint64(0)
		for i, t := range targets {
			results[i] = Stored{Target: t}
			r := &results[i]
			if a, err := readAccount(tx, t.Account); err != nil {
				r.Err = fmt.Errorf("account %d: %w", t.Account, err)
				continue
			} else if a.Disabled {
				r.Err = fmt.Errorf("account %s: %w", a.Address, ErrAccountDisabled)
				continue
			}
			name := CanonicalMailboxName(t.Mailbox)
			if name == "" {
				name = "INBOX"
			}
			mb, err := mailboxByName(tx, t.Account, name)
			if errors.Is(err, ErrNoSuchMailbox) && t.Create {
				mb, err = tx.createMailboxPath(t.Account, name)
			}
			if err != nil {
				if !errors.Is(err, ErrNoSuchMailbox) && !errors.Is(err, ErrInvalidName) {
					return err
				}
				r.Err = err
				continue
			}
			if cached, ok := touched[mb.ID]; ok {
				mb = cached
			} else {
				touched[mb.ID] = mb
				order = append(order, mb)
			}
			m, err := tx.addMessage(mb, hash, int64(len(in.Raw)), flags[i], in.InternalDate, mb.HighestModSeq+1)
			if err != nil {
				if errors.Is(err, ErrUIDSpaceExhausted) {
					r.Err = err
					continue
				}
				return err
			}
			r.MailboxID, r.MailboxName, r.UIDValidity, r.UID, r.ModSeq = mb.ID, mb.Name, mb.UIDValidity, m.UID, m.ModSeq
			stored++
			tx.emit(Event{Kind: in.Kind, Account: t.Account, Mailbox: mb.ID, MailboxName: mb.Name, UIDValidity: mb.UIDValidity, UIDs: []UID{m.UID}, ModSeq: m.ModSeq})
		}
		if stored == 0 {
			return nil
		}
		for _, mb := range order {
			if err := tx.putMailbox(mb); err != nil {
				return err
			}
		}
		return tx.storeBlob(hash, in.Raw, info, parsed.HeaderLen, stored)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// createMailboxPath creates name and any missing parents.
func (tx *wtx) createMailboxPath(a AccountID, name string) (*Mailbox, error) {
	if err := CheckMailboxName(name); err != nil {
		return nil, err
	}
	levels := strings.Split(name, Delimiter)
	for i := 1; i < len(levels); i++ {
		parent := strings.Join(levels[:i], Delimiter)
		if _, err := mailboxByName(tx, a, parent); errors.Is(err, ErrNoSuchMailbox) {
			if _, err := tx.createMailbox(a, parent, nil); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
	}
	return tx.createMailbox(a, name, nil)
}
