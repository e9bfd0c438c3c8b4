package mimeinfo

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The helpers here play the IMAP layer's part: they render BODYSTRUCTURE
// and ENVELOPE the way Dovecot does and answer BODY[section] by slicing, so
// that tests can state expectations in IMAP's own terms.

func nstring(s string) string {
	if s == "" {
		return "NIL"
	}
	return qstring(s)
}

func qstring(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func renderParams(ps []Param, defaultCharset bool) string {
	var b []string
	seen := false
	for _, p := range ps {
		seen = seen || p.Name == "charset"
		b = append(b, qstring(p.Name), qstring(p.Value))
	}
	if defaultCharset && !seen {
		b = append(b, `"charset"`, `"us-ascii"`)
	}
	if len(b) == 0 {
		return "NIL"
	}
	return "(" + strings.Join(b, " ") + ")"
}

func renderExt(p *Part) string {
	disp := "NIL"
	if p.Disposition != "" {
		disp = "(" + qstring(p.Disposition) + " " + renderParams(p.DispositionParams, false) + ")"
	}
	lang := "NIL"
	if len(p.Language) > 0 {
		var l []string
		for _, x := range p.Language {
			l = append(l, qstring(x))
		}
		lang = "(" + strings.Join(l, " ") + ")"
	}
	return disp + " " + lang + " " + nstring(p.Location)
}

// bodystructure renders p as the inside of BODYSTRUCTURE (ext) or BODY.
func bodystructure(p *Part, ext bool) string {
	var b strings.Builder
	if p.IsMultipart() {
		for _, c := range p.Children {
			b.WriteString("(" + bodystructure(c, ext) + ")")
		}
		b.WriteString(" " + qstring(p.Subtype))
		if ext {
			b.WriteString(" " + renderParams(p.Params, false) + " " + renderExt(p))
		}
		return b.String()
	}
	text := p.Type == "text"
	fmt.Fprintf(&b, "%s %s %s %s %s %s %d", qstring(p.Type), qstring(p.Subtype),
		renderParams(p.Params, text), nstring(p.ID), nstring(p.Description),
		qstring(p.Encoding), p.End-p.BodyStart)
	switch {
	case text:
		fmt.Fprintf(&b, " %d", p.Lines)
	case p.IsMessage():
		fmt.Fprintf(&b, " (%s) (%s) %d", envelope(p.Message), bodystructure(p.MessageBody, ext), p.Lines)
	}
	if ext {
		b.WriteString(" " + nstring(p.MD5) + " " + renderExt(p))
	}
	return b.String()
}

func renderAddrs(list []Address) string {
	if len(list) == 0 {
		return "NIL"
	}
	var b strings.Builder
	b.WriteByte('(')
	for _, a := range list {
		mailbox := qstring(a.Mailbox)
		if a.IsGroupEnd() {
			mailbox = "NIL"
		}
		host := nstring(a.Host)
		fmt.Fprintf(&b, "(%s %s %s %s)", nstring(a.Name), nstring(a.ADL), mailbox, host)
	}
	b.WriteByte(')')
	return b.String()
}

// envelope renders the inside of ENVELOPE.
func envelope(e *Envelope) string {
	ns := func(f Field, s string) string {
		if !e.Has(f) {
			return "NIL"
		}
		return qstring(s)
	}
	return strings.Join([]string{
		ns(FieldDate, e.Date), ns(FieldSubject, e.Subject),
		renderAddrs(e.From), renderAddrs(e.Sender), renderAddrs(e.ReplyTo),
		renderAddrs(e.To), renderAddrs(e.Cc), renderAddrs(e.Bcc),
		ns(FieldInReplyTo, e.InReplyTo), ns(FieldMessageID, e.MessageID),
	}, " ")
}

// section answers BODY[spec] (RFC 3501 §6.4.5) by slicing raw.
func section(raw []byte, in *Info, spec string) (string, bool) {
	var path []int
	text := ""
	for _, f := range strings.Split(spec, ".") {
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			text = f
			break
		}
		path = append(path, n)
	}
	if len(path) == 0 {
		switch text {
		case "":
			return string(raw), true
		case "HEADER":
			return string(raw[:in.HeaderLen]), true
		case "TEXT":
			return string(raw[in.HeaderLen:]), true
		}
		return "", false
	}
	p := in.PartAt(path)
	if p == nil {
		return "", false
	}
	switch text {
	case "":
		return string(raw[p.BodyStart:p.End]), true
	case "MIME":
		return string(raw[p.HeaderStart:p.BodyStart]), true
	case "HEADER", "TEXT":
		if !p.IsMessage() {
			return "", false
		}
		m := p.MessageBody
		if text == "HEADER" {
			return string(raw[m.HeaderStart:m.BodyStart]), true
		}
		return string(raw[m.BodyStart:m.End]), true
	}
	return "", false
}

// checkInfo verifies everything Parse promises about its result, and that
// the record round-trips.
func checkInfo(t testing.TB, raw []byte, in *Info) {
	t.Helper()
	if in == nil || in.Envelope == nil || in.Body == nil {
		t.Fatalf("nil in result: %+v", in)
	}
	if in.Size != int64(len(raw)) {
		t.Fatalf("Size %d, want %d", in.Size, len(raw))
	}
	b := in.Body
	if b.HeaderStart != 0 || b.End != in.Size || b.BodyStart != int64(in.HeaderLen) {
		t.Fatalf("top-level part [%d %d %d], HeaderLen %d, Size %d", b.HeaderStart, b.BodyStart, b.End, in.HeaderLen, in.Size)
	}
	nparts := 0
	var walk func(p *Part, lo, hi int64, depth int)
	walk = func(p *Part, lo, hi int64, depth int) {
		nparts++
		if p == nil {
			t.Fatalf("nil part")
		}
		if depth > MaxDepth {
			t.Fatalf("depth %d", depth)
		}
		if !(lo <= p.HeaderStart && p.HeaderStart <= p.BodyStart && p.BodyStart <= p.End && p.End <= hi) {
			t.Fatalf("part %s/%s [%d %d %d] not within [%d %d]", p.Type, p.Subtype, p.HeaderStart, p.BodyStart, p.End, lo, hi)
		}
		if p.Type == "" || p.Subtype == "" || p.Type != lower(p.Type) || p.Subtype != lower(p.Subtype) {
			t.Fatalf("bad type %q/%q", p.Type, p.Subtype)
		}
		if p.Encoding == "" || p.Encoding != lower(p.Encoding) {
			t.Fatalf("bad encoding %q", p.Encoding)
		}
		if p.IsMultipart() != (len(p.Children) > 0) {
			t.Fatalf("multipart %s with %d children", p.Subtype, len(p.Children))
		}
		if p.IsMessage() != (p.Message != nil && p.MessageBody != nil) || (!p.IsMessage() && (p.Message != nil || p.MessageBody != nil)) {
			t.Fatalf("message/%s with Message %v, MessageBody %v", p.Subtype, p.Message != nil, p.MessageBody != nil)
		}
		want := int64(0)
		if p.Type == "text" || p.IsMessage() {
			want = int64(bytes.Count(raw[p.BodyStart:p.End], []byte{'\n'}))
		}
		if p.Lines != want {
			t.Fatalf("%s/%s Lines %d, want %d", p.Type, p.Subtype, p.Lines, want)
		}
		c := p.BodyStart
		for _, k := range p.Children {
			walk(k, c, p.End, depth+1)
			c = k.End
		}
		if p.IsMessage() {
			m := p.MessageBody
			if m.HeaderStart != p.BodyStart || m.End != p.End {
				t.Fatalf("message body [%d %d] is not the part body [%d %d]", m.HeaderStart, m.End, p.BodyStart, p.End)
			}
			walk(m, p.BodyStart, p.End, depth+1)
		}
	}
	walk(b, 0, in.Size, 0)
	if nparts > MaxParts+MaxParts/2 {
		t.Fatalf("%d parts", nparts)
	}
	enc := in.AppendBinary(nil)
	out, err := Decode(enc)
	if err != nil {
		t.Fatalf("Decode(AppendBinary): %v", err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip differs:\n%s\n%s", dump(in), dump(out))
	}
}

func dump(in *Info) string {
	return fmt.Sprintf("size %d hdr %d date %v\nenv %s\nbody %s", in.Size, in.HeaderLen, in.Date,
		envelope(in.Envelope), bodystructure(in.Body, true))
}

// crlf turns the test's LF line endings into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
