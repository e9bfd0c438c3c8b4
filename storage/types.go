package storage

import (
	"encoding/hex"
	"strings"
	"time"
)

// AccountID identifies an account for its whole life; it is never reused.
type AccountID uint64

// MailboxID identifies a mailbox for its whole life: a renamed mailbox keeps
// its ID, a deleted and re-created one gets a new ID and a new UIDVALIDITY.
type MailboxID uint64

// UID is an IMAP message UID, unique and strictly increasing within one
// mailbox's UIDVALIDITY (RFC 3501 §2.3.1.1, MONOINCUID).
type UID uint32

// BlobHash is the SHA-256 of a message's bytes; equal messages share one blob.
type BlobHash [32]byte

func (h BlobHash) String() string { return hex.EncodeToString(h[:]) }

// Account is a mail user.
type Account struct {
	ID       AccountID
	Address  string // login and primary address, lower case
	Created  time.Time
	Disabled bool
	// Admin may manage the server from the web page: users, domains,
	// aliases, status and backups.
	Admin bool

	passwordHash string
	credVersion  uint64 // incremented on every password change
}

// Mailbox is a folder with its IMAP counters. The counters are exact: they
// are updated in the same transaction as the messages they count.
type Mailbox struct {
	ID            MailboxID
	Account       AccountID
	Name          string // "/"-separated hierarchy, UTF-8
	UIDValidity   uint32
	UIDNext       UID
	HighestModSeq uint64
	Messages      uint32
	Unseen        uint32
	Deleted       uint32 // messages with \Deleted
	Size          int64  // sum of message sizes (STATUS SIZE)
	SpecialUse    []string
	Subscribed    bool
	// Keywords lists every keyword ever set on a message here, in the order
	// first used: SELECT's FLAGS response, without reading the messages.
	Keywords []string
	// ExpungedBefore is the mod-sequence up to which expunge tombstones
	// were dropped (RFC 7162 §5.3): QRESYNC from an older mod-sequence
	// cannot tell which UIDs vanished and must compare against the UIDs
	// present. 0 means no tombstone was ever dropped.
	ExpungedBefore uint64
	// Tombstones counts the expunge tombstones kept, so the daily cleanup
	// finds mailboxes over the limit without scanning them.
	Tombstones uint32
}

// SystemFlags is the set of RFC 3501 system flags a message carries.
type SystemFlags uint8

const (
	FlagSeen SystemFlags = 1 << iota
	FlagAnswered
	FlagFlagged
	FlagDeleted
	FlagDraft
)

var systemFlagNames = [...]struct {
	bit  SystemFlags
	name string
}{
	{FlagSeen, `\Seen`},
	{FlagAnswered, `\Answered`},
	{FlagFlagged, `\Flagged`},
	{FlagDeleted, `\Deleted`},
	{FlagDraft, `\Draft`},
}

// Flags is a message's flags: the system flags as bits, keywords by name.
type Flags struct {
	System   SystemFlags
	Keywords []string
}

// ParseFlags turns IMAP flag names into Flags. System flags are matched
// case-insensitively; keywords keep their spelling and are de-duplicated
// case-insensitively. \Recent cannot be set by anyone and is ignored.
func ParseFlags(names []string) Flags {
	var f Flags
next:
	for _, n := range names {
		if strings.HasPrefix(n, `\`) {
			for _, s := range systemFlagNames {
				if strings.EqualFold(n, s.name) {
					f.System |= s.bit
					continue next
				}
			}
			continue // \Recent or an unknown system flag
		}
		if n == "" {
			continue
		}
		for _, k := range f.Keywords {
			if strings.EqualFold(k, n) {
				continue next
			}
		}
		f.Keywords = append(f.Keywords, n)
	}
	return f
}

// Names lists the flags in IMAP form, system flags first.
func (f Flags) Names() []string {
	names := make([]string, 0, 5+len(f.Keywords))
	for _, s := range systemFlagNames {
		if f.System&s.bit != 0 {
			names = append(names, s.name)
		}
	}
	return append(names, f.Keywords...)
}

// Has reports whether the flag named n is set.
func (f Flags) Has(n string) bool {
	for _, s := range systemFlagNames {
		if strings.EqualFold(n, s.name) {
			return f.System&s.bit != 0
		}
	}
	for _, k := range f.Keywords {
		if strings.EqualFold(k, n) {
			return true
		}
	}
	return false
}

// Union returns f with every flag of g added.
func (f Flags) Union(g Flags) Flags {
	out := Flags{System: f.System | g.System, Keywords: append([]string(nil), f.Keywords...)}
	for _, k := range g.Keywords {
		if !f.Has(k) {
			out.Keywords = append(out.Keywords, k)
		}
	}
	return out
}

// Minus returns f with every flag of g removed.
func (f Flags) Minus(g Flags) Flags {
	out := Flags{System: f.System &^ g.System}
	for _, k := range f.Keywords {
		if !g.Has(k) {
			out.Keywords = append(out.Keywords, k)
		}
	}
	return out
}

// Equal reports whether f and g hold the same flags, in any order.
func (f Flags) Equal(g Flags) bool {
	if f.System != g.System || len(f.Keywords) != len(g.Keywords) {
		return false
	}
	for _, k := range f.Keywords {
		if !g.Has(k) {
			return false
		}
	}
	return true
}

// Message is one message in one mailbox. Body and structure are shared by
// every copy through Blob.
type Message struct {
	UID          UID
	ModSeq       uint64
	Flags        Flags
	InternalDate time.Time
	SaveDate     time.Time
	Size         int64
	Blob         BlobHash
}
