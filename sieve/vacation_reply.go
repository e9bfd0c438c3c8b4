package sieve

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// ReplyInfo is what a vacation reply needs besides the action and the
// message it answers.
type ReplyInfo struct {
	// User is the account's address: the reply's From when :from is not
	// given or is not one of Own.
	User string
	// Own are every address of the user (User, aliases, :addresses); a
	// :from naming one of them may stand in the From field.
	Own []string
	// Now dates the reply; Host names it in the Message-ID.
	Now  time.Time
	Host string
}

// BuildVacationReply writes the reply of v to msg (RFC 5230 §4.3–§5,
// SV-40). It goes to v.To with the null reverse path: an auto-reply must
// never be answered or bounced back in turn.
func BuildVacationReply(v Vacation, msg Message, info ReplyInfo) ([]byte, error) {
	if v.To == "" {
		return nil, errors.New("vacation reply: the message has no sender to answer")
	}
	var b bytes.Buffer
	field := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	from := info.User
	if a, ok := ownAddress(v.From, info.Own); ok {
		from = a.String() // a non-ASCII display name comes out encoded
	}
	field("Auto-Submitted", "auto-replied")
	field("From", from)
	field("To", (&mail.Address{Address: v.To}).String())
	field("Subject", replySubject(v, msg))
	field("Date", info.Now.Format(time.RFC1123Z))
	field("Message-ID", newMessageID(info.Host))
	if id := firstHeader(msg, "message-id"); id != "" {
		field("In-Reply-To", id)
		refs := firstHeader(msg, "references")
		if refs == "" {
			refs = firstHeader(msg, "in-reply-to")
		}
		if refs != "" {
			id = refs + " " + id
		}
		field("References", id)
	}
	field("MIME-Version", "1.0")
	if v.Mime {
		// :mime: the reason is a MIME entity, its own header first
		// (RFC 5230 §4.7); 8-bit header text is an error (SV-40).
		entity := strings.ReplaceAll(strings.ReplaceAll(v.Reason, "\r\n", "\n"), "\n", "\r\n")
		head, _, _ := strings.Cut(entity, "\r\n\r\n")
		for _, c := range []byte(head) {
			if c >= 0x80 {
				return nil, errors.New("vacation :mime reason has 8-bit characters in its MIME header")
			}
		}
		if !strings.Contains(entity, "\r\n\r\n") && !strings.HasPrefix(entity, "\r\n") {
			entity = "\r\n" + entity // no header at all: the whole text is the body
		}
		b.WriteString(entity)
		if !strings.HasSuffix(entity, "\r\n") {
			b.WriteString("\r\n")
		}
		return b.Bytes(), nil
	}
	text := strings.ReplaceAll(strings.ReplaceAll(v.Reason, "\r\n", "\n"), "\n", "\r\n")
	if isASCII(text) {
		field("Content-Type", "text/plain; charset=us-ascii")
		field("Content-Transfer-Encoding", "7bit")
		b.WriteString("\r\n")
		b.WriteString(text)
	} else {
		field("Content-Type", "text/plain; charset=utf-8")
		field("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		w := quotedprintable.NewWriter(&b)
		if _, err := w.Write([]byte(text)); err != nil {
			return nil, fmt.Errorf("vacation reply: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("vacation reply: %w", err)
		}
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

// replySubject is :subject, or "Auto: " and the original subject, or
// "Automated reply" (RFC 5230 §4.3), encoded only when not ASCII.
func replySubject(v Vacation, msg Message) string {
	s := v.Subject
	if s == "" {
		s = "Automated reply"
		if orig := decodeHeader(firstRaw(msg, "subject")); orig != "" {
			s = "Auto: " + orig
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
	if isASCII(s) {
		return s
	}
	return mime.QEncoding.Encode("utf-8", s)
}

// ownAddress parses a :from and says whether it is one of the user's
// addresses, the only ones a reply may claim to come from.
func ownAddress(addr string, own []string) (*mail.Address, bool) {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return nil, false
	}
	for _, o := range own {
		if strings.EqualFold(o, a.Address) {
			return a, true
		}
	}
	return nil, false
}

// firstRaw is the first field of that name, raw.
func firstRaw(msg Message, name string) string {
	if vs := msg.Header(name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// newMessageID is a fresh Message-ID on host ("localhost" when unknown,
// still a valid one).
func newMessageID(host string) string {
	if host == "" {
		host = "localhost"
	}
	return "<" + rand.Text() + "@" + host + ">"
}
