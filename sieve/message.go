package sieve

import (
	"mime"
	"strings"

	"github.com/emersion/go-message/charset"
)

// wordDecoder decodes RFC 2047 encoded words in any charset go-message
// knows (US-ASCII, ISO-8859-*, UTF-8 and many more). It is never modified.
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// unfold removes the line breaks of a folded header value and trims it
// (RFC 5322 §2.2.3, RFC 5228 §2.4.2.2).
func unfold(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(v)
	}
	return strings.Trim(v, " \t")
}

// decodeHeader turns a raw value into what tests compare (SV-08). A value
// with broken encoded words is used as it is rather than failing the test.
func decodeHeader(v string) string {
	v = unfold(v)
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return decodeWords(v)
	}
	return d
}

// decodeWords is the slow path of decodeHeader for a value the decoder
// refused as a whole, typically for one word in a charset it does not know:
// each white-space separated token is decoded on its own and left as
// written if it cannot be (RFC 2047 §6.2 lets a reader show such a word
// as it is), and the white space between two decoded encoded words is
// still dropped (RFC 2047 §6.2), so one bad word does not spoil the rest.
func decodeWords(v string) string {
	var b strings.Builder
	space := ""          // the white space run before the current token
	prevEncoded := false // the previous token was a whole, decoded encoded word
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && (v[j] == ' ' || v[j] == '\t') {
			j++
		}
		if j > i {
			space = v[i:j]
			i = j
			continue
		}
		for j < len(v) && v[j] != ' ' && v[j] != '\t' {
			j++
		}
		tok := v[i:j]
		i = j
		d, err := wordDecoder.DecodeHeader(tok)
		encoded := false
		if err != nil {
			d = tok
		} else if strings.HasPrefix(tok, "=?") && strings.HasSuffix(tok, "?=") && d != tok {
			encoded = true
		}
		if !(encoded && prevEncoded) {
			b.WriteString(space)
		}
		b.WriteString(d)
		space, prevEncoded = "", encoded
	}
	b.WriteString(space)
	return b.String()
}

// validHeaderName is RFC 5322's field-name: printable ASCII except ":".
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 || s[i] == ':' {
			return false
		}
	}
	return true
}

// mailAddr is one address of an address header or the envelope.
type mailAddr struct {
	raw           string // the address as written, for :all when unparsable
	local, domain string
	ok            bool // local@domain could be split
	null          bool // the empty envelope sender
}

func (a mailAddr) part(p string) (string, bool) {
	if a.null {
		return "", true
	}
	if !a.ok {
		if p == "all" {
			return a.raw, true
		}
		return "", false // SV-10: never :localpart or :domain
	}
	switch p {
	case "all":
		return a.local + "@" + a.domain, true
	case "localpart":
		return a.local, true
	case "domain":
		return a.domain, true
	case "user", "detail":
		return subaddress(a.local, p)
	}
	return "", false // a part this file does not know matches nothing
}

// addressHeaders are the fields the address test accepts (SV-10): the
// same list as Pigeonhole, so that a script valid there is valid here.
var addressHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "sender": true, "resent-from": true, "resent-to": true,
	"reply-to": true, "resent-reply-to": true, "resent-sender": true, "resent-cc": true, "resent-bcc": true,
	"for-approval": true, "for-handling": true, "for-comment": true, "apparently-to": true, "errors-to": true,
	"delivered-to": true, "return-receipt-to": true, "x-admin": true, "read-receipt-to": true,
	"x-confirm-reading-to": true, "return-receipt-requested": true, "registered-mail-reply-requested-by": true,
	"mail-followup-to": true, "mail-reply-to": true, "abuse-reports-to": true, "x-complaints-to": true,
	"x-report-abuse-to": true, "x-beenthere": true,
}

// parseAddressList reads an RFC 5322 address list tolerantly: display
// names, comments and group names are dropped, group members are kept, and
// an item that is not local@domain is returned as written with ok false.
func parseAddressList(v string) []mailAddr {
	var out []mailAddr
	var spec strings.Builder // the addr-spec outside angle brackets, without spaces
	var angle string
	var raw strings.Builder
	seenAngle := false
	flush := func() {
		s := spec.String()
		if seenAngle {
			s = angle
		}
		r := strings.TrimSpace(raw.String())
		if s != "" || seenAngle {
			out = append(out, splitAddr(s, r))
		}
		spec.Reset()
		raw.Reset()
		angle, seenAngle = "", false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '"':
			j := i + 1
			for j < len(v) && v[j] != '"' {
				if v[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(v) {
				j = len(v) - 1
			}
			spec.WriteString(v[i : j+1])
			raw.WriteString(v[i : j+1])
			i = j
		case '(':
			depth, j := 0, i
			for ; j < len(v); j++ {
				if v[j] == '\\' {
					j++
					continue
				}
				if v[j] == '(' {
					depth++
				} else if v[j] == ')' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			i = j
		case '<':
			end := strings.IndexByte(v[i:], '>')
			if end < 0 {
				end = len(v) - i
			}
			angle, seenAngle = stripRoute(cleanSpec(v[i+1:i+end])), true
			raw.WriteString(v[i:min(i+end+1, len(v))])
			i += end
		case ':':
			if !seenAngle && !strings.Contains(spec.String(), "@") {
				// A group starts: what came before was its name.
				spec.Reset()
				raw.Reset()
				continue
			}
			spec.WriteByte(c)
			raw.WriteByte(c)
		case ',', ';':
			flush()
		case ' ', '\t', '\r', '\n':
			raw.WriteByte(c)
		default:
			spec.WriteByte(c)
			raw.WriteByte(c)
		}
	}
	flush()
	return out
}

// cleanSpec removes comments and white space outside quoted strings.
func cleanSpec(s string) string {
	var b strings.Builder
	depth := 0
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (quoted || depth > 0) && i+1 < len(s):
			if quoted {
				b.WriteString(s[i : i+2])
			}
			i++
		case quoted:
			b.WriteByte(c)
			quoted = c != '"'
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case c == '"':
			quoted = true
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// stripRoute drops an obsolete source route "@a,@b:" (RFC 5228 §5.4).
func stripRoute(s string) string {
	if strings.HasPrefix(s, "@") {
		if i := strings.IndexByte(s, ':'); i >= 0 {
			return s[i+1:]
		}
	}
	return s
}

func splitAddr(s, raw string) mailAddr {
	if raw == "" {
		raw = s
	}
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return mailAddr{raw: raw}
	}
	local := s[:i]
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		var b strings.Builder
		for j := 1; j < len(local)-1; j++ {
			if local[j] == '\\' && j+1 < len(local)-1 {
				j++
			}
			b.WriteByte(local[j])
		}
		local = b.String()
	}
	return mailAddr{raw: raw, local: local, domain: s[i+1:], ok: true}
}

// envelopeAddr parses an envelope address; the null path "" gives ""
// for every address part (SV-11).
func envelopeAddr(s string) mailAddr {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	s = stripRoute(s)
	if s == "" {
		return mailAddr{null: true}
	}
	return splitAddr(s, s)
}
