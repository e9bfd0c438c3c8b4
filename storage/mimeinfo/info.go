package mimeinfo

import "time"

// Limits that keep hostile input from costing more than its size. A part
// that would nest deeper than MaxDepth, or a multipart or message part that
// would push the number of parts past MaxParts, is described as an opaque
// application/octet-stream leaf instead (Dovecot has the same two limits with
// the same defaults).
const (
	MaxDepth = 100
	MaxParts = 10000

	// maxAddresses caps one address header; the rest of a longer list is
	// dropped (a group that was cut short still gets its end marker).
	maxAddresses = 10000
)

// Placeholders for the parts of an address that the header left out. IMAP
// has no way to say "this mailbox has no host": a NIL host marks group
// syntax. Dovecot fills the gaps with these two words, and so do we.
const (
	MissingMailbox = "MISSING_MAILBOX"
	MissingDomain  = "MISSING_DOMAIN"
)

// Info describes one message: what IMAP FETCH and SEARCH need without
// reading the body again.
type Info struct {
	Size      int64     // len(raw)
	HeaderLen int       // bytes of the top-level header, blank line included; all of raw if there is no blank line
	Date      time.Time // the Date: header, in the sender's zone; zero if absent or unparseable
	Envelope  *Envelope // never nil
	Body      *Part     // never nil; HeaderStart 0, BodyStart HeaderLen, End Size
}

// Field names one of the string members of an Envelope, for Envelope.Present.
type Field uint8

// The Envelope string members that can be NIL.
const (
	FieldDate Field = 1 << iota
	FieldSubject
	FieldInReplyTo
	FieldMessageID
)

// Envelope is the RFC 3501 §7.4.2 ENVELOPE of a message.
//
// NIL versus empty: a string member is NIL when its header is absent and the
// string (possibly "") when it is present; Present records which headers were
// present, so write NIL when !e.Has(field). Address lists are NIL when empty
// (IMAP has no empty list). Sender and ReplyTo are already defaulted to From
// as RFC 3501 requires, and may share From's backing array: treat all slices
// as read-only.
//
// String values are the raw header text, unfolded (CRLF before a folded line
// removed) and trimmed of surrounding blanks; RFC 2047 encoded words and 8-bit
// bytes are left as they are. When a header occurs more than once, the first
// one counts.
type Envelope struct {
	Date, Subject                      string
	From, Sender, ReplyTo, To, Cc, Bcc []Address
	InReplyTo, MessageID               string
	Present                            Field
}

// Has reports whether the header for f was present.
func (e *Envelope) Has(f Field) bool { return e.Present&f != 0 }

// Address is one member of an RFC 3501 address list.
//
//   - A mailbox has a non-empty Host (MissingDomain if the header had none)
//     and its Mailbox is written as a string even when it is "" (`""@host`).
//     Mailbox is MissingMailbox when the header had a name but no address.
//   - A group start has Host "" and Mailbox set to the group's display name.
//   - A group end has Host "" and Mailbox "".
//
// Name and ADL are NIL when "". Name is the display phrase as IMAP returns
// it: quoted strings unquoted, comments dropped, words joined by one space,
// RFC 2047 encoded words kept (a mailbox written as `addr (Comment)` gets the
// comment as its name, like Dovecot). ADL is the obsolete source route,
// "@a,@b". A group with an empty display name has no markers; its members are
// listed as if ungrouped.
type Address struct {
	Name, ADL, Mailbox, Host string
}

// IsGroupStart reports whether a is the start-of-group marker.
func (a *Address) IsGroupStart() bool { return a.Host == "" && a.Mailbox != "" }

// IsGroupEnd reports whether a is the end-of-group marker.
func (a *Address) IsGroupEnd() bool { return a.Host == "" && a.Mailbox == "" }

// Param is one parameter of Content-Type or Content-Disposition. Name is
// lower-cased; Value is unquoted but otherwise as written. RFC 2231
// continuations (name*0, name*1*, …) are joined into one parameter at the
// place of the first piece: named "name" when no piece is encoded, otherwise
// "name*" with the value still in charset'lang'%XX form (as Dovecot does, so a
// client can decode it). Pieces with a gap in their numbering are left as
// they are.
type Param struct {
	Name, Value string
}

// Part is one MIME entity: the whole message, a child of a multipart, or the
// message inside a message/rfc822 part.
//
// Offsets are absolute positions in the raw message. [HeaderStart, BodyStart)
// is the part's header with the blank line that ends it (BODY[n.MIME]; for the
// top-level part, BODY[HEADER]); [BodyStart, End) is its body (BODY[n]; for the
// top-level part, BODY[TEXT]). The line break before a multipart delimiter
// belongs to the delimiter, not to the part before it (RFC 2046 §5.1.1). A
// header cut short by a delimiter line or by the end of the message has no
// blank line and an empty body. A multipart body includes its preamble and
// epilogue; its children lie strictly inside it, in order, without overlap.
//
// Structure invariants, so that the IMAP layer needs no special cases:
//   - Type "multipart" ⇔ len(Children) > 0. A multipart with no body part
//     (no delimiter found, or its header cut short) gets one empty text/plain
//     child at its End, which is what Dovecot reports. A multipart without a
//     usable boundary parameter is not a multipart: it becomes text/plain
//     (keeping its parameters), since nothing inside it can be found.
//   - IsMessage() ⇔ Message != nil && MessageBody != nil. MessageBody spans
//     exactly the part's body. The body is parsed as a message whatever the
//     part's Content-Transfer-Encoding says (Dovecot does the same), so a
//     base64-encoded message/global is described as a message whose header
//     is the encoded text and whose envelope is empty.
//
// Type, Subtype, Encoding and Disposition are lower-cased. Strings that are
// "" are NIL in BODYSTRUCTURE. Params holds the parameters as written: the
// IMAP layer adds the ("charset" "us-ascii") default for text/* when there is
// no charset, as Dovecot does.
type Part struct {
	Type, Subtype string // default text/plain; message/rfc822 inside multipart/digest
	Params        []Param
	ID            string // Content-ID
	Description   string // Content-Description
	Encoding      string // Content-Transfer-Encoding, default "7bit"
	MD5           string // Content-MD5

	Disposition       string // Content-Disposition type
	DispositionParams []Param
	Language          []string // Content-Language tags
	Location          string   // Content-Location

	HeaderStart, BodyStart, End int64

	// Lines is the number of LF characters in the body, for text/* and
	// message/rfc822 or message/global parts (RFC 3501 body-fld-lines); 0
	// for other types.
	Lines int64

	Children []*Part // multipart only

	Message     *Envelope // message/rfc822 and message/global only
	MessageBody *Part     // the embedded message: its header and body
}

// IsMultipart reports whether p is a multipart with children.
func (p *Part) IsMultipart() bool { return p.Type == "multipart" }

// IsMessage reports whether p is an encapsulated message (message/rfc822 or
// message/global), whose MessageBody and Message are set.
func (p *Part) IsMessage() bool {
	return p.Type == "message" && (p.Subtype == "rfc822" || p.Subtype == "global")
}

// Param returns the value of the first parameter called name (lower-case),
// or "".
func (p *Part) Param(name string) string {
	for i := range p.Params {
		if p.Params[i].Name == name {
			return p.Params[i].Value
		}
	}
	return ""
}

// PartAt returns the part that an IMAP section part number names (RFC 3501
// §6.4.5), or nil if there is none: path {} is the whole message, {2, 1}
// is BODY[2.1]. Part 1 of a non-multipart is the part itself; a number after a
// message/rfc822 part addresses the message inside it. For the sections
// HEADER and TEXT of a message/rfc822 part p use p.MessageBody's header and
// body; for MIME use p's own header.
func (in *Info) PartAt(path []int) *Part {
	cur := in.Body
	for i, n := range path {
		if i > 0 && cur.IsMessage() {
			cur = cur.MessageBody
		}
		switch {
		case cur.IsMultipart():
			if n < 1 || n > len(cur.Children) {
				return nil
			}
			cur = cur.Children[n-1]
		case n != 1:
			return nil
		}
	}
	return cur
}
