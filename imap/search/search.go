package search

import (
	"errors"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
	"zest/storage/mimeinfo"
)

// Limits on the shape of a criteria tree, checked by Compile.
const (
	// MaxDepth is how deeply NOT and OR may nest. Each NOT and each OR is
	// one level.
	MaxDepth = 100

	// MaxKeys is how many search keys one SEARCH may hold in all (every
	// flag, set, date, size, string and MODSEQ key counts one).
	MaxKeys = 4096
)

// Errors from Compile. The server answers them with a tagged NO [LIMIT]
// (RFC 5530 §3): the command was well formed, the server will not run it.
var (
	ErrTooDeep     = errors.New("search: criteria nested too deeply")
	ErrTooManyKeys = errors.New("search: too many search keys")
)

// Options are what the criteria need from the session and the mailbox to
// mean something. They are fixed for one SEARCH command.
type Options struct {
	// Location is the server's time zone: SINCE, BEFORE and ON compare the
	// date of the internal date in this zone (RFC 3501 §6.4.4 says to
	// disregard time and timezone, which leaves the calendar to the
	// server). nil means time.Local.
	Location *time.Location

	// MaxSeqNum is the value of "*" in a sequence set: the number of
	// messages in the session's view of the mailbox when the command
	// started. MaxUID is the value of "*" in a UID set: the largest UID in
	// that view (0 when the mailbox is empty). RFC 9051 §6.4.4 with §9
	// (seq-range): "n:*" includes the last message even when n is larger.
	MaxSeqNum uint32
	MaxUID    imap.UID

	// SearchRes is the session's saved search result (RFC 5182), which "$"
	// stands for, as UIDs; nil when nothing is saved, so that "$" matches
	// nothing (RFC 5182 §2.1). The server's parser puts "$" in
	// SearchCriteria.UID as imap.SearchRes(), whatever the command.
	SearchRes imap.UIDSet
}

// Needs says which expensive parts of a message any key of a search may
// read, so the server can plan: a search that needs none of them runs on the
// message records alone and never touches a blob.
type Needs struct {
	Info   bool // SENTBEFORE/SENTON/SENTSINCE; BODY and TEXT (the MIME structure)
	Header bool // HEADER, FROM, TO, CC, BCC, SUBJECT; TEXT
	Body   bool // BODY, TEXT
}

// Candidate is one message as the matcher sees it. The loaders are called
// lazily, only when a key that needs them is reached, and at most once per
// call of Match. A loader that is never needed may be nil.
//
// Header may be nil when Body is set: the header is then sliced from the
// whole message. Info may be nil when Body is set: the message is then
// parsed with mimeinfo.Parse. Both fallbacks cost more than the loaders.
type Candidate struct {
	SeqNum  uint32
	Message *storage.Message
	Recent  bool // \Recent for this session (IMAP4rev1 only)

	Info   func() (*mimeinfo.Info, error) // description parsed at delivery
	Header func() ([]byte, error)         // raw top-level header: the first Info.HeaderLen bytes of the blob
	Body   func() ([]byte, error)         // the whole raw message, CRLF line endings
}

// Matcher is a compiled search. It is immutable and safe for concurrent use
// by several goroutines.
type Matcher struct {
	root  *node
	loc   *time.Location
	needs Needs

	modseq bool

	// needles are the folded strings of every BODY and TEXT key, searched
	// in one pass over a message's text; textKeys marks the TEXT ones,
	// whose strings are also looked for in the header.
	needles  [][]byte
	textKeys []bool
}

// Compile checks criteria and prepares them for Match. A nil criteria is
// ALL. Strings are expected in UTF-8: the server converts a CHARSET argument
// (RFC 3501 §6.4.4) before calling Compile, or answers NO [BADCHARSET].
func Compile(c *imap.SearchCriteria, opts Options) (*Matcher, error) {
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	m := &Matcher{loc: loc}
	b := builder{m: m, opts: opts}
	if c == nil {
		c = &imap.SearchCriteria{}
	}
	root, err := b.criteria(c, 0)
	if err != nil {
		return nil, err
	}
	m.root = root
	m.needs = root.needs()
	return m, nil
}

// Needs reports which of Candidate's loaders Match may call.
func (m *Matcher) Needs() Needs { return m.needs }

// UsesModSeq reports whether the criteria have a MODSEQ key. RFC 7162
// §3.1.5: the SEARCH (or ESEARCH) response then carries the highest
// mod-sequence of the messages found, which the server computes from
// storage.Message.ModSeq of the matches.
func (m *Matcher) UsesModSeq() bool { return m.modseq }

// Match reports whether the candidate satisfies the criteria. Cheap keys
// are evaluated first and evaluation stops as soon as the result is known.
// An error comes from a loader (or a candidate with no Message) and means
// the result is unknown.
func (m *Matcher) Match(c *Candidate) (bool, error) {
	if c == nil || c.Message == nil {
		return false, errNoMessage
	}
	e := evaluation{m: m, c: c}
	ok := e.eval(m.root)
	if e.err != nil {
		return false, e.err
	}
	return ok, nil
}

var errNoMessage = errors.New("search: candidate without a message")
