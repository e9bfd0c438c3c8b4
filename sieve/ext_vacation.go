package sieve

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// extVacation is vacation (RFC 5230), language side: the engine decides
// whether this message may be answered at all and fills a Vacation action;
// the caller applies the once-per-period response log and sends the reply.
// spec: SV-35, SV-36, SV-38, SV-39
var extVacation = extension{
	name: "vacation",
	specs: []*spec{{
		name: "vacation",
		tags: []tagSpec{
			{name: "days", group: groupPeriod, arg: argNumber},
			{name: "subject", arg: argString},
			{name: "from", arg: argString},
			{name: "addresses", arg: argStrings},
			{name: "mime"},
			{name: "handle", arg: argString},
		},
		args:     []argType{argString},
		buildCmd: buildVacation,
	}},
	// RFC 6131 §2: vacation-seconds extends vacation, so requiring it
	// brings the command in too.
	aliases: []string{"vacation-seconds"},
}

// extVacationSeconds is :seconds for vacation (RFC 6131).
var extVacationSeconds = extension{
	name: "vacation-seconds",
	tags: []extraTags{{to: []string{"vacation"}, tags: []tagSpec{{name: "seconds", group: groupPeriod, arg: argNumber}}}},
}

// groupPeriod makes :days and :seconds exclusive (RFC 6131 §2).
const groupPeriod = "period"

const (
	vacationDefaultDays = 7
	vacationMaxDays     = 90 // zest's maximum (RFC 5230 §4.1 lets sites choose)
)

func buildVacation(c *compiler, a *call) cmdFunc {
	days, seconds := vacationPeriod(a)
	reason := c.val(a, 0)
	subject, from, handle := c.value(a.tagStr("subject")), c.value(a.tagStr("from")), c.value(a.tagStr("handle"))
	var addresses []value
	if v, ok := a.tags["addresses"]; ok {
		for _, s := range v.Strings {
			addresses = append(addresses, c.value(s))
		}
	}
	if reason.isConst() && !utf8.ValidString(reason.lit) {
		c.errorf(a.args[0].Pos, "vacation reason is not UTF-8")
		return nil
	}
	if a.has("from") && from.isConst() {
		if _, err := mail.ParseAddress(from.lit); err != nil {
			c.errorf(a.tags["from"].Pos, "vacation :from %q is not a valid address", from.lit)
			return nil
		}
	}
	mime := a.has("mime")
	// spec: SV-37 — without :handle the reply's identity is its arguments
	// as written, before variables are expanded, so a reason that quotes
	// the message's subject does not make every reply a new one.
	identity := fmt.Sprintf("%q %q %q %t", subject.lit, from.lit, reason.lit, mime)
	return func(r *run) error {
		// spec: SV-35 — a second vacation in one run is an error, even
		// when the first one decided not to answer.
		if r.vacation {
			return errors.New("more than one vacation")
		}
		r.vacation = true
		text := reason.get(r)
		if !utf8.ValidString(text) {
			return errors.New("vacation reason is not UTF-8")
		}
		own := append([]string{r.in.Envelope.To}, r.in.UserAddresses...)
		own = append(own, getAll(r, addresses)...)
		if !vacationApplies(r, own) {
			return nil
		}
		to, _ := envelopeAddr(r.in.Envelope.From).part("all")
		v := Vacation{
			To:        to,
			Reason:    text,
			Subject:   subject.get(r),
			Addresses: getAll(r, addresses),
			Days:      days,
			Seconds:   seconds,
			Mime:      mime,
			Handle:    handle.get(r),
			Identity:  identity,
		}
		if v.Handle != "" {
			v.Identity = "handle " + v.Handle
		}
		if f := from.get(r); f != "" {
			// An invalid :from built at run time falls back to the
			// user's address (SV-40): the caller leaves From empty.
			if _, err := mail.ParseAddress(f); err == nil {
				v.From = f
			}
		}
		return r.add(v, false)
	}
}

// vacationPeriod returns :days clamped to 1..90 (SV-36), or :seconds
// clamped to at most 90 days; a whole number of days is given as days, as
// Pigeonhole reports it.
func vacationPeriod(a *call) (days, seconds int) {
	if v, ok := a.tags["seconds"]; ok {
		s := min(v.Number, vacationMaxDays*86400)
		if s > 0 && s%86400 != 0 {
			return 0, int(s)
		}
		return max(int(s/86400), 1), 0
	}
	days = vacationDefaultDays
	if v, ok := a.tags["days"]; ok {
		days = int(min(max(v.Number, 1), vacationMaxDays))
	}
	return days, 0
}

// vacationApplies says whether the message may be answered at all: never
// an empty or automatic sender, nor the user's own address, nor a list or
// an automatic message (SV-39), and only if one of the user's addresses is
// a recipient in the header (SV-38).
func vacationApplies(r *run, own []string) bool {
	sender := envelopeAddr(r.in.Envelope.From)
	if sender.null || !sender.ok || neverReply(sender.local) || automatic(r) {
		return false
	}
	isOwn := func(addr mailAddr) bool {
		for _, o := range own {
			oa := envelopeAddr(o)
			if oa.ok && addr.ok && strings.EqualFold(baseLocal(oa.local), baseLocal(addr.local)) && strings.EqualFold(oa.domain, addr.domain) {
				return true
			}
		}
		return false
	}
	if isOwn(sender) {
		return false
	}
	for _, h := range []string{"to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"} {
		for _, addr := range r.address(h) {
			if isOwn(addr) {
				return true
			}
		}
	}
	return false
}

// listHeaders mark mail from a mailing list (RFC 2369, RFC 2919); RFC 5230
// §4.6 says a list message SHOULD NOT be answered and zest never does.
var listHeaders = []string{"list-id", "list-help", "list-subscribe", "list-unsubscribe", "list-post", "list-owner", "list-archive"}

// automatic says whether the message is from a list, was sent by a program
// (Auto-Submitted other than "no", RFC 3834 §5) or is bulk mail
// (Precedence bulk, junk or list): none of them gets a vacation reply.
func automatic(r *run) bool {
	for _, h := range listHeaders {
		if len(r.in.Message.Header(h)) > 0 {
			return true
		}
	}
	for _, v := range r.in.Message.Header("auto-submitted") {
		kind, _, _ := strings.Cut(decodeHeader(v), ";")
		if !strings.EqualFold(strings.TrimSpace(kind), "no") {
			return true
		}
	}
	for _, v := range r.in.Message.Header("precedence") {
		switch strings.ToLower(decodeHeader(v)) {
		case "bulk", "junk", "list":
			return true
		}
	}
	return false
}

// neverReply is RFC 5230 §4.6's list of senders that are programs or
// lists rather than people.
func neverReply(local string) bool {
	l := strings.ToLower(local)
	switch l {
	case "mailer-daemon", "listserv", "majordomo":
		return true
	}
	return strings.HasPrefix(l, "owner-") || strings.HasSuffix(l, "-request")
}

// baseLocal drops a "+detail" (RFC 5233), so that me+lists@ and me@ are
// the same user's addresses.
func baseLocal(local string) string {
	user, _, _ := strings.Cut(local, "+")
	return user
}
