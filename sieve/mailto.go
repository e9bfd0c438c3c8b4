package sieve

import (
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// MailtoURI is a parsed mailto URI (RFC 6068) as the enotify mailto
// method uses it (RFC 5436 §2.7): recipients from the to-part and the "to"
// and "cc" header fields, the subject and body, and the other header
// fields minus those a notification must not take from its URI.
type MailtoURI struct {
	Recipients []MailtoRecipient // in URI order, each address once
	Subject    string
	HasSubject bool // a "subject" field was given, perhaps empty
	Body       string
	HasBody    bool
	Headers    []MailtoHeader // other fields, in URI order
}

// MailtoRecipient is one recipient of a mailto URI.
type MailtoRecipient struct {
	Full    string // as written in the URI, percent-decoded
	Address string // the bare addr-spec
	Cc      bool   // only named by a "cc" field
}

// MailtoHeader is a header field of a mailto URI, name as written.
type MailtoHeader struct{ Name, Value string }

// maxMailtoRecipients and maxMailtoHeaders bound one URI: a notification
// is for the script owner, not a mailing list (RFC 5435 §8 asks for limits
// on abuse; §3.2 lets a method refuse URIs by policy).
const (
	maxMailtoRecipients = 8
	maxMailtoHeaders    = 16
)

// mailtoIgnored are URI header fields a notification never takes: those
// RFC 5436 §2.7 calls unsafe or generates itself (NA-45), those that would
// hide or fake recipients or thread the notification into a conversation,
// and the MIME fields the builder writes.
var mailtoIgnored = map[string]bool{
	"auto-submitted": true, "received": true, "message-id": true, "date": true, "from": true,
	"sender": true, "bcc": true, "in-reply-to": true, "references": true, "return-path": true,
	"resent-date": true, "resent-from": true, "resent-sender": true, "resent-to": true, "resent-cc": true,
	"resent-bcc": true, "resent-message-id": true, "mime-version": true, "content-type": true,
	"content-transfer-encoding": true,
}

// mailtoUnique are fields only the first occurrence of which counts.
var mailtoUnique = map[string]bool{"reply-to": true}

// ParseMailto parses a mailto URI (RFC 6068 §2). The scheme is matched
// without regard to case. Recipients may be separated by "," or "%2C";
// each must be an address (RFC 5322 addr-spec, a display name is
// tolerated). Percent-encoded octets must form UTF-8 and may not be NUL;
// header values other than body may not hold line breaks. Header fields
// RFC 5436 §2.7 makes unsafe are dropped; a repeated subject, body or
// reply-to keeps its first value. A URI without any recipient is valid.
func ParseMailto(uri string) (*MailtoURI, error) {
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || !strings.EqualFold(scheme, "mailto") {
		return nil, errors.New("not a mailto URI")
	}
	u := &MailtoURI{}
	to, hfields, hasQuery := strings.Cut(rest, "?")
	if to != "" {
		for _, part := range strings.Split(to, ",") {
			dec, err := mailtoDecode(part, "the recipients")
			if err != nil {
				return nil, err
			}
			if err := u.addRecipients(dec, false); err != nil {
				return nil, err
			}
		}
	}
	if !hasQuery {
		return u, nil
	}
	nheaders := 0
	for _, hf := range strings.Split(hfields, "&") {
		rawName, rawValue, ok := strings.Cut(hf, "=")
		if !ok {
			return nil, fmt.Errorf("header field %q without \"=\"", hf)
		}
		name, err := mailtoDecode(rawName, "header name")
		if err != nil {
			return nil, err
		}
		if !validHeaderName(name) {
			return nil, fmt.Errorf("invalid header field name %q", name)
		}
		value, err := mailtoDecode(rawValue, "header value")
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(name)
		if key != "body" && strings.ContainsAny(value, "\r\n") {
			return nil, fmt.Errorf("header field %q holds a line break", name)
		}
		switch {
		case key == "to" || key == "cc":
			if err := u.addRecipients(value, key == "cc"); err != nil {
				return nil, err
			}
		case key == "subject":
			if !u.HasSubject {
				u.Subject, u.HasSubject = value, true
			}
		case key == "body":
			if !u.HasBody {
				u.Body, u.HasBody = value, true
			}
		case mailtoIgnored[key]:
		case mailtoUnique[key] && u.hasHeader(key):
		default:
			if nheaders++; nheaders > maxMailtoHeaders {
				return nil, fmt.Errorf("more than %d header fields", maxMailtoHeaders)
			}
			u.Headers = append(u.Headers, MailtoHeader{Name: name, Value: value})
		}
	}
	return u, nil
}

func (u *MailtoURI) hasHeader(key string) bool {
	for _, h := range u.Headers {
		if strings.EqualFold(h.Name, key) {
			return true
		}
	}
	return false
}

// addRecipients adds the comma-separated addresses of one to-part item or
// to/cc field. A "," inside a quoted local part does not separate.
func (u *MailtoURI) addRecipients(list string, cc bool) error {
	for _, full := range splitRecipients(list) {
		full = strings.TrimSpace(full)
		addr, ok := addrSpec(full)
		if !ok {
			return fmt.Errorf("invalid recipient %q", full)
		}
		if i := u.recipient(addr); i >= 0 {
			// Named as To and as Cc: To wins.
			u.Recipients[i].Cc = u.Recipients[i].Cc && cc
			continue
		}
		if len(u.Recipients) == maxMailtoRecipients {
			return fmt.Errorf("more than %d recipients", maxMailtoRecipients)
		}
		u.Recipients = append(u.Recipients, MailtoRecipient{Full: full, Address: addr, Cc: cc})
	}
	return nil
}

// addrSpec returns the bare address of an RFC 5322 address, its local
// part quoted where it must be ("a b"@example.org), as SMTP needs it.
func addrSpec(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || !strings.Contains(a.Address, "@") {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimPrefix((&mail.Address{Address: a.Address}).String(), "<"), ">"), true
}

func (u *MailtoURI) recipient(addr string) int {
	for i, r := range u.Recipients {
		if sameAddress(r.Address, addr) {
			return i
		}
	}
	return -1
}

// sameAddress compares addresses as mail does: the local part exactly,
// the domain without regard to ASCII case (RFC 5321 §2.4).
func sameAddress(a, b string) bool {
	ia, ib := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	if ia < 0 || ib < 0 {
		return a == b
	}
	return a[:ia] == b[:ib] && strings.EqualFold(a[ia:], b[ib:])
}

// splitRecipients splits at commas outside quoted strings and angle
// brackets.
func splitRecipients(s string) []string {
	var out []string
	quoted, angle, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			angle = true
		case c == '>' && !quoted:
			angle = false
		case c == ',' && !quoted && !angle:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// mailtoQchar reports whether c may appear unencoded in a mailto URI's
// to-part or header fields: RFC 6068's qchar (unreserved and some-delims)
// without the delimiters of the part it is in.
func mailtoQchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$'()*+,;:@", c) >= 0
}

// mailtoDecode checks the characters of one URI component and decodes
// its percent-encoding (RFC 3986 §2.1).
func mailtoDecode(s, what string) (string, error) {
	if !strings.Contains(s, "%") {
		for i := 0; i < len(s); i++ {
			if !mailtoQchar(s[i]) {
				return "", fmt.Errorf("invalid character %q in %s", s[i], what)
			}
		}
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", fmt.Errorf("invalid %% encoding in %s", what)
			}
			d := byte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			if d == 0 {
				return "", fmt.Errorf("%%00 in %s", what)
			}
			b.WriteByte(d)
			i += 2
		case mailtoQchar(c):
			b.WriteByte(c)
		default:
			return "", fmt.Errorf("invalid character %q in %s", c, what)
		}
	}
	if !utf8.ValidString(b.String()) {
		return "", fmt.Errorf("%s is not UTF-8 once decoded", what)
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// MailtoInput is what BuildMailtoNotification needs besides the action.
type MailtoInput struct {
	// User is the script owner's address: the Auto-Submitted owner-email,
	// and the sender when the action has no usable :from.
	User string
	// Message is the triggering message, EnvelopeFrom its MAIL FROM (""
	// for the null reverse path).
	Message      Message
	EnvelopeFrom string
	// Now is the notification's Date (the caller passes the current
	// time); Host the right side of its Message-ID (the server's name).
	Now  time.Time
	Host string
}

// MailtoNotification is a notification message ready for the outbound
// queue.
type MailtoNotification struct {
	From       string   // envelope sender; "" is the null reverse path
	Recipients []string // envelope recipients, bare addresses
	Message    []byte   // the whole RFC 5322 message, CRLF line endings
}

// ErrNoRecipients is BuildMailtoNotification's answer for a notify whose
// URI names nobody, or only addresses an earlier notify of the run
// reaches (Notify.Skip): there is nothing to send.
var ErrNoRecipients = errors.New("mailto notification without recipients")

// BuildMailtoNotification composes the message a mailto notify action
// sends (RFC 5436 §2.7). The caller decides first whether it may go out
// at all (IsAutoSubmitted, rate limits; NA-47) and whether n.From is an
// address the user may use: it clears n.From otherwise.
//
// spec: NA-43, NA-44, NA-45, NA-46, SV-61
func BuildMailtoNotification(n Notify, in MailtoInput) (*MailtoNotification, error) {
	u, err := ParseMailto(n.Method)
	if err != nil {
		return nil, fmt.Errorf("notify method %q: %w", n.Method, err)
	}
	var rcpts []string
	var to, cc []string
	for _, r := range u.Recipients {
		if containsAddress(n.Skip, r.Address) {
			continue
		}
		rcpts = append(rcpts, r.Address)
		if r.Cc {
			cc = append(cc, r.Full)
		} else {
			to = append(to, r.Full)
		}
	}
	if len(rcpts) == 0 {
		return nil, ErrNoRecipients
	}

	// NA-43: the sender is :from when it is an address, else the user;
	// the envelope sender stays empty for a trigger that had none, so a
	// bounce of a bounce cannot loop. A "from" URI field was dropped.
	fromHeader := in.User
	envFrom := in.User
	if n.From != "" {
		if a, ok := addrSpec(n.From); ok {
			fromHeader, envFrom = n.From, a
		}
	}
	if in.EnvelopeFrom == "" {
		envFrom = ""
	}

	origSubject := firstHeader(in.Message, "Subject")
	subject := origSubject
	switch {
	case n.Message != "":
		subject = n.Message
	case u.HasSubject:
		subject = u.Subject
	}

	var b strings.Builder
	// NA-45: Auto-Submitted first, above the Received fields copied from
	// the trigger, so that a server seeing the notification come back
	// can tell the two apart (RFC 5436 §2.7.1).
	writeField(&b, "Auto-Submitted", `auto-notified; owner-email=`+quoteString(in.User))
	if in.Message != nil {
		for _, v := range in.Message.Header("Received") {
			v = strings.TrimRight(normaliseCRLF(v), "\r\n")
			if !strings.HasPrefix(v, " ") && !strings.HasPrefix(v, "\t") {
				v = " " + v
			}
			b.WriteString("Received:" + v + "\r\n")
		}
	}
	writeField(&b, "Date", in.Now.Format(time.RFC1123Z))
	writeField(&b, "Message-ID", newMessageID(in.Host))
	writeField(&b, "From", encodeAddressField(fromHeader))
	if len(to) > 0 {
		writeField(&b, "To", encodeAddressField(strings.Join(to, ", ")))
	}
	if len(cc) > 0 {
		writeField(&b, "Cc", encodeAddressField(strings.Join(cc, ", ")))
	}
	writeField(&b, "Subject", mime.QEncoding.Encode("utf-8", oneLine(subject)))
	switch n.Importance {
	case "1":
		writeField(&b, "Importance", "High")
	case "3":
		writeField(&b, "Importance", "Low")
	}
	for _, h := range u.Headers {
		v := h.Value
		if !isASCII(v) {
			// An address list keeps its addresses readable; only
			// unstructured text is one encoded word.
			if _, err := mail.ParseAddressList(v); err == nil {
				v = encodeAddressField(v)
			} else {
				v = mime.QEncoding.Encode("utf-8", v)
			}
		}
		writeField(&b, capitalise(h.Name), v)
	}

	body := ""
	switch {
	case u.HasBody:
		body = u.Body
	case n.Message == "":
		// SV-61: without :message the text names the message's sender
		// and subject (RFC 5435 §3.6).
		body = "From: " + firstHeader(in.Message, "From") + "\r\nSubject: " + origSubject + "\r\n"
	}
	body = normaliseCRLF(body)
	if body != "" && !strings.HasSuffix(body, "\r\n") {
		body += "\r\n"
	}
	writeField(&b, "MIME-Version", "1.0")
	if isASCII(body) {
		writeField(&b, "Content-Type", "text/plain; charset=us-ascii")
		writeField(&b, "Content-Transfer-Encoding", "7bit")
	} else {
		writeField(&b, "Content-Type", "text/plain; charset=utf-8")
		writeField(&b, "Content-Transfer-Encoding", "8bit")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return &MailtoNotification{From: envFrom, Recipients: rcpts, Message: []byte(b.String())}, nil
}

// IsAutoSubmitted reports whether the message carries an Auto-Submitted
// field with a value other than "no" (RFC 3834 §5): zest sends no mailto
// notification for it (RFC 5436 §2.7; a MUST in zest, NA-47).
func IsAutoSubmitted(msg Message) bool {
	if msg == nil {
		return false
	}
	for _, v := range msg.Header("Auto-Submitted") {
		kw, _, _ := strings.Cut(unfold(v), ";")
		kw, _, _ = strings.Cut(kw, "(") // a comment may follow the keyword
		if !strings.EqualFold(strings.TrimSpace(kw), "no") {
			return true
		}
	}
	return false
}

// firstHeader is the decoded first value of a field, or "".
func firstHeader(msg Message, name string) string {
	if msg == nil {
		return ""
	}
	if v := msg.Header(name); len(v) > 0 {
		return oneLine(decodeHeader(v[0]))
	}
	return ""
}

func containsAddress(list []string, addr string) bool {
	for _, a := range list {
		if sameAddress(a, addr) {
			return true
		}
	}
	return false
}

// oneLine turns line breaks into spaces: a value that goes into a header
// field must not start a new field.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

func normaliseCRLF(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// quoteString is an RFC 5322 quoted-string.
func quoteString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(oneLine(s)) + `"`
}

// encodeAddressField RFC 2047-encodes display names that are not ASCII;
// an address list that does not parse is written as it is, minus line
// breaks.
func encodeAddressField(v string) string {
	v = oneLine(v)
	if isASCII(v) {
		return v
	}
	list, err := mail.ParseAddressList(v)
	if err != nil {
		return v
	}
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String() // encodes a non-ASCII name
	}
	return strings.Join(parts, ", ")
}

// capitalise writes a URI header name as mail usually spells it
// (RFC 5436 §2.7): "x-foo" as "X-Foo".
func capitalise(name string) string {
	b := []byte(name)
	up := true
	for i, c := range b {
		if up && 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '-'
	}
	return string(b)
}

// writeField writes one header field, folded at spaces so that lines stay
// under 78 characters where the value allows (RFC 5322 §2.1.1).
func writeField(b *strings.Builder, name, value string) {
	line := name + ":"
	for i, w := range strings.Split(value, " ") {
		if i > 0 && len(line)+1+len(w) > 78 && strings.TrimSpace(line) != "" {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + w
	}
	b.WriteString(line + "\r\n")
}
