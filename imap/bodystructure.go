package imap

import (
	"bytes"
	"encoding/base64"

	"zest/imap/wire"
	"zest/storage/mimeinfo"
)

// This file renders the parts of a FETCH response that come from the
// stored description of a message (storage/mimeinfo): ENVELOPE, BODY and
// BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2), and decodes a leaf
// part's content transfer encoding for BINARY (RFC 3516).

// writeEnvelope writes env as an RFC 3501 envelope: NIL for an absent
// header, "" for an empty one, NIL for an empty address list.
func writeEnvelope(enc *wire.Encoder, env *mimeinfo.Envelope) {
	enc.Special('(')
	enc.NString(env.Date, env.Has(mimeinfo.FieldDate)).SP()
	enc.NString(env.Subject, env.Has(mimeinfo.FieldSubject)).SP()
	for _, list := range [...][]mimeinfo.Address{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
		writeAddresses(enc, list)
		enc.SP()
	}
	enc.NString(env.InReplyTo, env.Has(mimeinfo.FieldInReplyTo)).SP()
	enc.NString(env.MessageID, env.Has(mimeinfo.FieldMessageID))
	enc.Special(')')
}

// writeAddresses writes an address list, with RFC 3501's group syntax: a
// group starts with (NIL NIL "name" NIL) and ends with (NIL NIL NIL NIL).
func writeAddresses(enc *wire.Encoder, list []mimeinfo.Address) {
	if len(list) == 0 {
		enc.NIL()
		return
	}
	enc.List(len(list), func(i int) {
		a := &list[i]
		enc.Special('(')
		enc.NString(a.Name, a.Name != "").SP()
		enc.NString(a.ADL, a.ADL != "").SP()
		switch {
		case a.IsGroupEnd():
			enc.NIL().SP().NIL()
		case a.IsGroupStart():
			enc.String(a.Mailbox).SP().NIL()
		default:
			enc.String(a.Mailbox).SP().String(a.Host)
		}
		enc.Special(')')
	})
}

// writeBodyStructure writes p as a body (RFC 3501 "body"): with extension
// data for BODYSTRUCTURE (ext), without for BODY.
func writeBodyStructure(enc *wire.Encoder, p *mimeinfo.Part, ext bool) {
	enc.Special('(')
	if p.IsMultipart() {
		for _, child := range p.Children {
			writeBodyStructure(enc, child, ext)
		}
		enc.SP().String(p.Subtype)
		if ext {
			enc.SP()
			writeParams(enc, p.Params, false)
			enc.SP()
			writeExtension(enc, p)
		}
		enc.Special(')')
		return
	}
	text := p.Type == "text"
	enc.String(p.Type).SP().String(p.Subtype).SP()
	writeParams(enc, p.Params, text)
	enc.SP().NString(p.ID, p.ID != "")
	enc.SP().NString(p.Description, p.Description != "")
	enc.SP().String(p.Encoding)
	enc.SP().Number64(uint64(p.End - p.BodyStart))
	switch {
	case p.IsMessage():
		enc.SP()
		writeEnvelope(enc, p.Message)
		enc.SP()
		writeBodyStructure(enc, p.MessageBody, ext)
		enc.SP().Number64(uint64(p.Lines))
	case text:
		enc.SP().Number64(uint64(p.Lines))
	}
	if ext {
		enc.SP().NString(p.MD5, p.MD5 != "").SP()
		writeExtension(enc, p)
	}
	enc.Special(')')
}

// writeExtension writes the extension fields a single part and a
// multipart share after their first one: disposition, language, location.
func writeExtension(enc *wire.Encoder, p *mimeinfo.Part) {
	if p.Disposition == "" {
		enc.NIL()
	} else {
		enc.Special('(').String(p.Disposition).SP()
		writeParams(enc, p.DispositionParams, false)
		enc.Special(')')
	}
	enc.SP()
	if len(p.Language) == 0 {
		enc.NIL()
	} else {
		enc.List(len(p.Language), func(i int) { enc.String(p.Language[i]) })
	}
	enc.SP().NString(p.Location, p.Location != "")
}

// writeParams writes a parameter list, NIL when empty. A text part without
// a charset gets ("charset" "us-ascii"), the default RFC 2045 §5.2 gives it
// and RFC 3501 §7.4.2 asks the server to report.
func writeParams(enc *wire.Encoder, params []mimeinfo.Param, text bool) {
	addCharset := text
	for i := range params {
		if params[i].Name == "charset" {
			addCharset = false
		}
	}
	if len(params) == 0 && !addCharset {
		enc.NIL()
		return
	}
	enc.Special('(')
	for i := range params {
		if i > 0 {
			enc.SP()
		}
		enc.String(params[i].Name).SP().String(params[i].Value)
	}
	if addCharset {
		if len(params) > 0 {
			enc.SP()
		}
		enc.Raw(`"charset" "us-ascii"`)
	}
	enc.Special(')')
}

// identityEncoding reports whether a part's content transfer encoding
// leaves its bytes as they are (RFC 2045 §6.2), so BINARY is the body.
func identityEncoding(enc string) bool {
	switch enc {
	case "", "7bit", "8bit", "binary":
		return true
	}
	return false
}

// decodeCTE undoes a base64 or quoted-printable encoding; ok is false for
// an encoding it does not know (BINARY answers NO [UNKNOWN-CTE]). Damaged
// input is decoded as far as it makes sense, as mail readers do: bytes
// outside the base64 alphabet are skipped, a stray "=" in
// quoted-printable is kept.
func decodeCTE(enc string, body []byte) (out []byte, ok bool) {
	switch {
	case identityEncoding(enc):
		return body, true
	case enc == "base64":
		return decodeBase64(body), true
	case enc == "quoted-printable":
		return decodeQP(body), true
	}
	return nil, false
}

func decodeBase64(body []byte) []byte {
	clean := make([]byte, 0, len(body))
	for _, c := range body {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '=':
			// Padding ends the data (what follows is not part of it).
			goto done
		}
	}
done:
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1] // a lone sextet carries no whole byte
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// decodeQP decodes quoted-printable (RFC 2045 §6.7): =XX is a byte, "="
// at the end of a line is a soft line break, and blanks at the end of a
// line were added in transport and are dropped.
func decodeQP(body []byte) []byte {
	out := make([]byte, 0, len(body))
	for len(body) > 0 {
		line := body
		var eol []byte
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
			eol = []byte("\n")
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
				eol = []byte("\r\n")
			}
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, " \t")
		if len(line) > 0 && line[len(line)-1] == '=' {
			line, eol = line[:len(line)-1], nil
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '=' && i+2 < len(line) {
				hi, ok1 := unhex(line[i+1])
				lo, ok2 := unhex(line[i+2])
				if ok1 && ok2 {
					out = append(out, hi<<4|lo)
					i += 2
					continue
				}
			}
			out = append(out, c)
		}
		out = append(out, eol...)
	}
	return out
}
