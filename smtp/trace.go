package smtp

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/base32"
	"net"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// trace is what the headers prepended at final delivery say about a
// message's arrival (RFC 5321 §4.4).
type trace struct {
	from       string   // reverse-path
	rcpts      []string // distinct recipient addresses
	helo       string   // the client's EHLO/LHLO name, as given
	remote     net.Addr
	by         string // our host name
	lmtp, utf8 bool
	tls        *tls.ConnectionState // nil without TLS
	id         string
	date       time.Time
}

// headers returns the Return-Path, Delivered-To (one recipient only) and
// Received fields, CRLF-terminated:
//
//	Return-Path: <sender@example.net>
//	Delivered-To: alice@example.org
//	Received: from mx.example.net ([192.0.2.1])
//		by zest.example.org with ESMTPS (version=TLS1.3 cipher=TLS_AES_128_GCM_SHA256)
//		id 3xq4m7vdzk2ab5c6
//		for <alice@example.org>; Mon, 02 Jan 2006 15:04:05 -0700
func (t *trace) headers() []byte {
	var b bytes.Buffer
	b.Grow(256 + len(t.from) + 2*len(t.helo))
	b.WriteString("Return-Path: <")
	b.WriteString(quoteAddress(t.from))
	b.WriteString(">\r\n")
	if len(t.rcpts) == 1 {
		b.WriteString("Delivered-To: ")
		b.WriteString(quoteAddress(t.rcpts[0]))
		b.WriteString("\r\n")
	}
	b.WriteString("Received: from ")
	b.WriteString(cleanHelo(t.helo, t.utf8))
	if lit := addressLiteral(t.remote); lit != "" {
		b.WriteString(" (")
		b.WriteString(lit)
		b.WriteString(")")
	}
	b.WriteString("\r\n\tby ")
	b.WriteString(t.by)
	b.WriteString(" with ")
	b.WriteString(protocolName(t.lmtp, t.utf8, t.tls != nil, false))
	if t.tls != nil {
		b.WriteString(" (version=")
		b.WriteString(strings.ReplaceAll(tls.VersionName(t.tls.Version), " ", ""))
		b.WriteString(" cipher=")
		b.WriteString(tls.CipherSuiteName(t.tls.CipherSuite))
		b.WriteString(")")
	}
	b.WriteString("\r\n\tid ")
	b.WriteString(t.id)
	b.WriteString("\r\n\t")
	if len(t.rcpts) == 1 {
		b.WriteString("for <")
		b.WriteString(quoteAddress(t.rcpts[0]))
		b.WriteString(">")
	}
	b.WriteString("; ")
	b.WriteString(t.date.Format(time.RFC1123Z))
	b.WriteString("\r\n")
	return b.Bytes()
}

// quoteAddress writes an envelope address as a header has it. go-smtp
// hands over a quoted local part unquoted ("a b"@example.net arrives as
// a b@example.net); it gets its quotes back unless it is a dot-atom
// (RFC 5322 §3.4.1, with UTF-8 allowed as RFC 6532 does).
func quoteAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	local := addr[:at]
	if isDotAtom(local) {
		return addr
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range local {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String() + addr[at:]
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= utf8.RuneSelf ||
			strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r)) {
			return false
		}
	}
	return true
}

// protocolName is the Received "with" keyword: RFC 3848's ESMTP, ESMTPS,
// ESMTPA, ESMTPSA, LMTP, LMTPS, … and their RFC 6531 UTF8 forms (UTF8SMTP
// stands for ESMTP with SMTPUTF8). HELO sessions are called ESMTP too:
// go-smtp does not tell a session whether it began with HELO or EHLO.
func protocolName(lmtp, utf8, tls, auth bool) string {
	name := "ESMTP"
	switch {
	case lmtp && utf8:
		name = "UTF8LMTP"
	case lmtp:
		name = "LMTP"
	case utf8:
		name = "UTF8SMTP"
	}
	if tls {
		name += "S"
	}
	if auth {
		name += "A"
	}
	return name
}

// addressLiteral is the RFC 5321 address literal of a TCP peer, "" for any
// other kind of connection.
func addressLiteral(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return ""
	}
	if v4 := ta.IP.To4(); v4 != nil {
		return "[" + v4.String() + "]"
	}
	return "[IPv6:" + ta.IP.String() + "]"
}

// cleanHelo makes the client's EHLO name safe in a header: it keeps the
// characters of domain names and address literals (and, when the message
// may carry UTF-8, printable non-ASCII letters) and replaces every other
// byte, so a hostile name cannot add a header field or unbalance the
// comment that follows.
func cleanHelo(helo string, allowUTF8 bool) string {
	const maxLen = 255
	if helo == "" {
		return "unknown"
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(helo) && b.Len() < maxLen; i += w {
		r, n := utf8.DecodeRuneInString(helo[i:])
		w = n
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._:[]", r)):
			b.WriteRune(r)
		case allowUTF8 && r != utf8.RuneError && r >= utf8.RuneSelf && unicode.IsPrint(r) && !unicode.IsSpace(r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// newID returns a transaction id: 80 random bits in lower-case base32.
func newID() string {
	var b [10]byte
	rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}
