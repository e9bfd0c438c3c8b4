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

// Notify sends a notification (RFC 5435). It never cancels the implicit
// keep. For a mailto method, BuildMailtoNotification composes the message.
type Notify struct {
	Method     string   // the method URI, checked by its NotifyMethod
	From       string   // :from, "" if not given; a valid address for mailto
	Importance string   // "1", "2" (the default) or "3"
	Options    []string // :options, each "name=value"
	Message    string   // :message, "" if not given
	// Skip lists recipients of a mailto Method that an earlier notify of
	// the same run already reaches: they are not notified twice (NA-47).
	// A mailto notify left without recipients is dropped from the Result.
	Skip []string
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

// String follows what Pigeonhole's sieve-test shows of a notification, so
// the differential corpus can compare the two. For mailto it is
// `notify "mailto" importance "2"`, then subject (the :message, else the
// URI's subject, when either is given), from, each remaining recipient as
// `to "..."` or `cc "..."` as written in the URI, each kept URI header as
// `header "Name: value"`, and the URI's body. :options do not appear
// (mailto has none). Another method is `notify "<uri>" importance "2"`
// followed by from, options and message.
func (n Notify) String() string {
	var b strings.Builder
	if u, err := ParseMailto(n.Method); err == nil {
		b.WriteString(`notify "mailto" importance ` + strconv.Quote(n.Importance))
		switch {
		case n.Message != "":
			b.WriteString(" subject " + strconv.Quote(n.Message))
		case u.HasSubject:
			b.WriteString(" subject " + strconv.Quote(u.Subject))
		}
		if n.From != "" {
			b.WriteString(" from " + strconv.Quote(n.From))
		}
		for _, r := range u.Recipients {
			if containsAddress(n.Skip, r.Address) {
				continue
			}
			if r.Cc {
				b.WriteString(" cc " + strconv.Quote(r.Full))
			} else {
				b.WriteString(" to " + strconv.Quote(r.Full))
			}
		}
		for _, h := range u.Headers {
			b.WriteString(" header " + strconv.Quote(h.Name+": "+h.Value))
		}
		if u.HasBody {
			b.WriteString(" body " + strconv.Quote(u.Body))
		}
		return b.String()
	}
	b.WriteString("notify " + strconv.Quote(n.Method) + " importance " + strconv.Quote(n.Importance))
	if n.From != "" {
		b.WriteString(" from " + strconv.Quote(n.From))
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
