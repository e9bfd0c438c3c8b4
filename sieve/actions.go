package sieve

import (
	"strconv"
	"strings"
)

// Action is one thing the caller must do with the message. String gives
// the normalised one-line form used to compare zest with Pigeonhole.
type Action interface{ String() string }

// Keep stores the message in INBOX with Flags (nil: no imap4flags).
type Keep struct{ Flags []string }

// FileInto stores the message in Mailbox (UTF-8). Create asks for the
// mailbox to be created first; Copy records that :copy was given.
type FileInto struct {
	Mailbox string
	Flags   []string
	Create  bool
	Copy    bool
}

// Redirect sends the unmodified message to Address (a bare addr-spec).
type Redirect struct {
	Address string
	Copy    bool
}

// Discard drops the message silently.
type Discard struct{}

// Reject refuses the message with Reason; Extended is ereject (RFC 5429).
type Reject struct {
	Reason   string
	Extended bool
}

// Vacation sends an auto-reply (RFC 5230). The engine fills it in; the
// caller decides whether the reply is due (SV-37..SV-39).
type Vacation struct {
	To        string // the envelope sender the reply would go to
	Reason    string
	Subject   string
	From      string
	Addresses []string
	Days      int
	Seconds   int // with vacation-seconds, else 0
	Mime      bool
	Handle    string
	// Identity names the reply in the response log (SV-37): the :handle,
	// or else the subject, from, reason and :mime as the script wrote
	// them, before variables were expanded. String leaves it out.
	Identity string
}

// Notify sends a notification (RFC 5435).
type Notify struct {
	Method     string
	From       string
	Importance string
	Options    []string
	Message    string
}

func quoteAll(b *strings.Builder, ss []string) {
	for _, s := range ss {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(s))
	}
}

func (k Keep) String() string {
	if len(k.Flags) == 0 {
		return "keep"
	}
	var b strings.Builder
	b.WriteString("keep flags")
	quoteAll(&b, k.Flags)
	return b.String()
}

func (f FileInto) String() string {
	var b strings.Builder
	b.WriteString("fileinto")
	if f.Copy {
		b.WriteString(" :copy")
	}
	if f.Create {
		b.WriteString(" :create")
	}
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(f.Mailbox))
	if len(f.Flags) > 0 {
		b.WriteString(" flags")
		quoteAll(&b, f.Flags)
	}
	return b.String()
}

func (r Redirect) String() string {
	if r.Copy {
		return "redirect :copy " + strconv.Quote(r.Address)
	}
	return "redirect " + strconv.Quote(r.Address)
}

func (Discard) String() string { return "discard" }

func (r Reject) String() string {
	if r.Extended {
		return "ereject " + strconv.Quote(r.Reason)
	}
	return "reject " + strconv.Quote(r.Reason)
}

// String is `vacation to "<sender>"` followed by subject, from, days (or
// seconds), mime, handle and reason, the optional ones only when set.
func (v Vacation) String() string {
	var b strings.Builder
	b.WriteString("vacation to " + strconv.Quote(v.To))
	if v.Subject != "" {
		b.WriteString(" subject " + strconv.Quote(v.Subject))
	}
	if v.From != "" {
		b.WriteString(" from " + strconv.Quote(v.From))
	}
	if v.Seconds > 0 {
		b.WriteString(" seconds " + strconv.Itoa(v.Seconds))
	} else {
		b.WriteString(" days " + strconv.Itoa(v.Days))
	}
	if v.Mime {
		b.WriteString(" mime")
	}
	if v.Handle != "" {
		b.WriteString(" handle " + strconv.Quote(v.Handle))
	}
	b.WriteString(" reason " + strconv.Quote(v.Reason))
	return b.String()
}

func (n Notify) String() string {
	var b strings.Builder
	b.WriteString("notify " + strconv.Quote(n.Method))
	if n.From != "" {
		b.WriteString(" from " + strconv.Quote(n.From))
	}
	if n.Importance != "" {
		b.WriteString(" importance " + strconv.Quote(n.Importance))
	}
	if len(n.Options) > 0 {
		b.WriteString(" options")
		quoteAll(&b, n.Options)
	}
	if n.Message != "" {
		b.WriteString(" message " + strconv.Quote(n.Message))
	}
	return b.String()
}
