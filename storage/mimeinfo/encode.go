package mimeinfo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Version is the format version AppendBinary writes, in the first byte.
const Version = 1

// Part flags: which optional fields follow.
const (
	pChildren = 1 << iota
	pMessage
	pParams
	pID
	pDescription
	pMD5
	pDisposition
	pLanguage
	pLocation
)

// Envelope flags, above the four Field bits.
const (
	eSenderIsFrom  = 1 << 4
	eReplyToIsFrom = 1 << 5
)

// dict holds strings that take one byte in a record. Version 1 is tied to
// exactly this list: never change it, only add a new version.
var dict = [...]string{
	"text", "plain", "html", "multipart", "mixed", "alternative", "related",
	"application", "octet-stream", "message", "rfc822", "global", "digest",
	"image", "jpeg", "png", "gif", "pdf", "audio", "video",
	"7bit", "8bit", "base64", "quoted-printable", "binary",
	"charset", "utf-8", "UTF-8", "us-ascii", "US-ASCII", "iso-8859-1",
	"ISO-8859-1", "iso-8859-15", "windows-1252",
	"boundary", "name", "filename", "filename*", "name*", "attachment", "inline",
	"format", "flowed", "delsp", "yes", "no", "size", "type",
	"creation-date", "modification-date",
	"signed", "protocol", "micalg", "application/pgp-signature", "pgp-signature",
	"encrypted", "application/pgp-encrypted", "pgp-encrypted",
	"pkcs7-signature", "x-pkcs7-signature", "application/pkcs7-signature",
	"application/x-pkcs7-signature", "pgp-sha256", "pgp-sha1", "sha-256",
	"report", "report-type", "delivery-status", "disposition-notification",
	"rfc822-headers", "calendar", "method", "REQUEST", "ics", "zip", "msword",
	"vnd.openxmlformats-officedocument.wordprocessingml.document",
	"vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"vnd.ms-excel", "xml", "json", "csv", "css", "javascript", "enriched",
	"en", "en-US", "de", "fr",
	MissingMailbox, MissingDomain,
}

var dictIndex = func() map[string]int {
	m := make(map[string]int, len(dict))
	for i, s := range dict {
		m[s] = i
	}
	return m
}()

// AppendBinary appends the record of in to dst (see the package comment for
// the format) and returns the extended slice. in must be as Parse made it;
// empty slices are written as nil.
func (in *Info) AppendBinary(dst []byte) []byte {
	var c counts
	c.envelope(in.Envelope)
	c.part(in.Body)
	e := encoder{b: dst}
	e.b = append(e.b, Version)
	e.uvarint(uint64(in.Size))
	e.uvarint(uint64(in.HeaderLen))
	if in.Date.IsZero() {
		e.b = append(e.b, 0)
	} else {
		_, off := in.Date.Zone()
		e.b = append(e.b, 1)
		e.b = binary.AppendVarint(e.b, in.Date.Unix())
		e.b = binary.AppendVarint(e.b, int64(off/60))
	}
	e.uvarint(uint64(c.parts))
	e.uvarint(uint64(c.envelopes))
	e.uvarint(uint64(c.addrs))
	e.uvarint(uint64(c.params))
	e.uvarint(uint64(c.langs))
	e.uvarint(uint64(c.kids))
	e.envelope(in.Envelope)
	e.part(in.Body, 0)
	return e.b
}

// counts sizes the blocks Decode allocates at once.
type counts struct {
	parts, envelopes, addrs, params, langs, kids int
}

func (c *counts) envelope(env *Envelope) {
	c.envelopes++
	if env == nil {
		return
	}
	c.addrs += len(env.From) + len(env.To) + len(env.Cc) + len(env.Bcc)
	if !sameAddrs(env.Sender, env.From) {
		c.addrs += len(env.Sender)
	}
	if !sameAddrs(env.ReplyTo, env.From) {
		c.addrs += len(env.ReplyTo)
	}
}

func (c *counts) part(p *Part) {
	c.parts++
	if p == nil {
		return
	}
	c.params += len(p.Params) + len(p.DispositionParams)
	c.langs += len(p.Language)
	c.kids += len(p.Children)
	for _, k := range p.Children {
		c.part(k)
	}
	if p.Message != nil || p.MessageBody != nil {
		c.envelope(p.Message)
		c.part(p.MessageBody)
	}
}

func sameAddrs(a, b []Address) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type encoder struct{ b []byte }

func (e *encoder) uvarint(x uint64) { e.b = binary.AppendUvarint(e.b, x) }

func (e *encoder) str(s string) {
	if i, ok := dictIndex[s]; ok {
		e.uvarint(uint64(i)<<1 | 1)
		return
	}
	e.uvarint(uint64(len(s)) << 1)
	e.b = append(e.b, s...)
}

func (e *encoder) envelope(env *Envelope) {
	if env == nil {
		env = &Envelope{}
	}
	flags := uint64(env.Present & 0xf)
	senderIsFrom := sameAddrs(env.Sender, env.From)
	replyToIsFrom := sameAddrs(env.ReplyTo, env.From)
	if senderIsFrom {
		flags |= eSenderIsFrom
	}
	if replyToIsFrom {
		flags |= eReplyToIsFrom
	}
	e.uvarint(flags)
	e.str(env.Date)
	e.str(env.Subject)
	e.str(env.InReplyTo)
	e.str(env.MessageID)
	e.addrs(env.From)
	if !senderIsFrom {
		e.addrs(env.Sender)
	}
	if !replyToIsFrom {
		e.addrs(env.ReplyTo)
	}
	e.addrs(env.To)
	e.addrs(env.Cc)
	e.addrs(env.Bcc)
}

func (e *encoder) addrs(list []Address) {
	e.uvarint(uint64(len(list)))
	for i := range list {
		a := &list[i]
		e.str(a.Name)
		e.str(a.ADL)
		e.str(a.Mailbox)
		e.str(a.Host)
	}
}

func (e *encoder) params(list []Param) {
	e.uvarint(uint64(len(list)))
	for _, p := range list {
		e.str(p.Name)
		e.str(p.Value)
	}
}

// part writes p; cursor is where p may start at the earliest (its parent's
// body start, or the end of its previous sibling), so that offsets are
// written as small non-negative deltas.
func (e *encoder) part(p *Part, cursor int64) {
	if p == nil {
		p = &Part{HeaderStart: cursor, BodyStart: cursor, End: cursor}
	}
	var flags uint64
	set := func(bit uint64, on bool) {
		if on {
			flags |= bit
		}
	}
	set(pChildren, len(p.Children) > 0)
	set(pMessage, p.Message != nil || p.MessageBody != nil)
	set(pParams, len(p.Params) > 0)
	set(pID, p.ID != "")
	set(pDescription, p.Description != "")
	set(pMD5, p.MD5 != "")
	set(pDisposition, p.Disposition != "" || len(p.DispositionParams) > 0)
	set(pLanguage, len(p.Language) > 0)
	set(pLocation, p.Location != "")
	e.uvarint(flags)
	e.str(p.Type)
	e.str(p.Subtype)
	e.str(p.Encoding)
	if flags&pParams != 0 {
		e.params(p.Params)
	}
	if flags&pID != 0 {
		e.str(p.ID)
	}
	if flags&pDescription != 0 {
		e.str(p.Description)
	}
	if flags&pMD5 != 0 {
		e.str(p.MD5)
	}
	if flags&pDisposition != 0 {
		e.str(p.Disposition)
		e.params(p.DispositionParams)
	}
	if flags&pLanguage != 0 {
		e.uvarint(uint64(len(p.Language)))
		for _, l := range p.Language {
			e.str(l)
		}
	}
	if flags&pLocation != 0 {
		e.str(p.Location)
	}
	e.uvarint(uint64(p.HeaderStart - cursor))
	e.uvarint(uint64(p.BodyStart - p.HeaderStart))
	e.uvarint(uint64(p.End - p.BodyStart))
	e.uvarint(uint64(p.Lines))
	if flags&pChildren != 0 {
		e.uvarint(uint64(len(p.Children)))
		c := p.BodyStart
		for _, k := range p.Children {
			e.part(k, c)
			if k != nil {
				c = k.End
			}
		}
	}
	if flags&pMessage != 0 {
		e.envelope(p.Message)
		e.part(p.MessageBody, p.BodyStart)
	}
}

// ErrCorrupt is returned (wrapped) by Decode for a record it cannot read.
var ErrCorrupt = errors.New("mimeinfo: corrupt record")

// Decode reads a record made by AppendBinary. It checks everything it
// reads, so that a damaged record gives an error rather than a panic, an
// offset outside the message or an allocation larger than a small multiple
// of len(b). The result's strings share one copy of b.
func Decode(b []byte) (*Info, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrCorrupt)
	}
	if b[0] != Version {
		return nil, fmt.Errorf("%w: unknown version %d", ErrCorrupt, b[0])
	}
	d := decoder{s: string(b), i: 1}
	in := &Info{}
	size := d.uvarint()
	headerLen := d.uvarint()
	if d.err == nil && (size > 1<<52 || headerLen > size) {
		d.fail("sizes")
	}
	in.Size, in.HeaderLen = int64(size), int(headerLen)
	switch d.byte() {
	case 0:
	case 1:
		sec := d.varint()
		off := d.varint()
		if d.err == nil && (off <= -24*60 || off >= 24*60 || sec < -1<<40 || sec > 1<<40) {
			d.fail("date")
		}
		in.Date = time.Unix(sec, 0).In(zoneFor(int(off)))
	default:
		d.fail("date flag")
	}
	// Each block is checked against the smallest encoding of its
	// elements before it is allocated.
	nParts := d.count(8)
	nEnvs := d.count(9)
	nAddrs := d.count(4)
	nParams := d.count(2)
	nLangs := d.count(1)
	nKids := d.count(8)
	if d.err != nil {
		return nil, d.err
	}
	d.parts = make([]Part, nParts)
	d.envs = make([]Envelope, nEnvs)
	d.addrs = make([]Address, nAddrs)
	d.params = make([]Param, nParams)
	d.langs = make([]string, nLangs)
	d.kids = make([]*Part, nKids)
	in.Envelope = d.envelope()
	in.Body = d.part(0, in.Size, 0)
	if d.err == nil && d.i != len(d.s) {
		d.fail("trailing bytes")
	}
	if d.err == nil && (len(d.parts)+len(d.envs)+len(d.addrs)+len(d.params)+len(d.langs)+len(d.kids) != 0) {
		d.fail("counts")
	}
	if d.err == nil && (in.Body.HeaderStart != 0 || in.Body.End != in.Size || in.Body.BodyStart != int64(in.HeaderLen)) {
		d.fail("top-level offsets")
	}
	if d.err != nil {
		return nil, d.err
	}
	return in, nil
}

// decoder reads a record; the first error sticks and every later read
// returns zero values.
type decoder struct {
	s   string
	i   int
	err error

	// Blocks that parts, envelopes and lists are carved from.
	parts  []Part
	envs   []Envelope
	addrs  []Address
	params []Param
	langs  []string
	kids   []*Part
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s at byte %d", ErrCorrupt, what, d.i)
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || d.i >= len(d.s) {
		d.fail("length")
		return 0
	}
	c := d.s[d.i]
	d.i++
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err == nil && d.i < len(d.s) && d.s[d.i] < 0x80 {
		d.i++
		return uint64(d.s[d.i-1])
	}
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		c := d.byte()
		if d.err != nil {
			return 0
		}
		if shift == 63 && c > 1 {
			break
		}
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
	d.fail("varint")
	return 0
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// count reads a number of elements that each take at least min bytes.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64((len(d.s)-d.i)/min) {
		d.fail("count")
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	x := d.uvarint()
	if d.err != nil {
		return ""
	}
	if x&1 != 0 {
		if x>>1 >= uint64(len(dict)) {
			d.fail("dictionary index")
			return ""
		}
		return dict[x>>1]
	}
	n := x >> 1
	if n > uint64(len(d.s)-d.i) {
		d.fail("string length")
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
}

func (d *decoder) envelope() *Envelope {
	if d.err != nil {
		return nil
	}
	if len(d.envs) == 0 {
		d.fail("envelope count")
		return nil
	}
	env := &d.envs[0]
	d.envs = d.envs[1:]
	flags := d.uvarint()
	if flags>>6 != 0 {
		d.fail("envelope flags")
	}
	env.Present = Field(flags & 0xf)
	env.Date = d.str()
	env.Subject = d.str()
	env.InReplyTo = d.str()
	env.MessageID = d.str()
	env.From = d.addrList()
	if flags&eSenderIsFrom != 0 {
		env.Sender = env.From
	} else {
		env.Sender = d.addrList()
	}
	if flags&eReplyToIsFrom != 0 {
		env.ReplyTo = env.From
	} else {
		env.ReplyTo = d.addrList()
	}
	env.To = d.addrList()
	env.Cc = d.addrList()
	env.Bcc = d.addrList()
	return env
}

func (d *decoder) addrList() []Address {
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(d.addrs)) {
		d.fail("address count")
		return nil
	}
	list := d.addrs[:n:n]
	d.addrs = d.addrs[n:]
	for i := range list {
		a := &list[i]
		a.Name = d.str()
		a.ADL = d.str()
		a.Mailbox = d.str()
		a.Host = d.str()
	}
	return list
}

func (d *decoder) paramList(atLeastOne bool) []Param {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n == 0 {
		if atLeastOne {
			d.fail("parameter count")
		}
		return nil
	}
	if n > uint64(len(d.params)) {
		d.fail("parameter count")
		return nil
	}
	list := d.params[:n:n]
	d.params = d.params[n:]
	for i := range list {
		list[i].Name = d.str()
		list[i].Value = d.str()
	}
	return list
}

// offset reads a delta and adds it to base, which must stay within limit.
func (d *decoder) offset(base, limit int64) int64 {
	x := d.uvarint()
	if d.err == nil && x > uint64(limit-base) {
		d.fail("offset")
		return base
	}
	return base + int64(x)
}

// part reads a part that lies within [cursor, limit].
func (d *decoder) part(cursor, limit int64, depth int) *Part {
	if d.err != nil {
		return nil
	}
	if depth > MaxDepth {
		d.fail("nesting")
		return nil
	}
	if len(d.parts) == 0 {
		d.fail("part count")
		return nil
	}
	p := &d.parts[0]
	d.parts = d.parts[1:]
	flags := d.uvarint()
	if flags>>9 != 0 {
		d.fail("part flags")
	}
	p.Type = d.str()
	p.Subtype = d.str()
	p.Encoding = d.str()
	if flags&pParams != 0 {
		p.Params = d.paramList(true)
	}
	if flags&pID != 0 {
		p.ID = d.str()
	}
	if flags&pDescription != 0 {
		p.Description = d.str()
	}
	if flags&pMD5 != 0 {
		p.MD5 = d.str()
	}
	if flags&pDisposition != 0 {
		p.Disposition = d.str()
		p.DispositionParams = d.paramList(false)
	}
	if flags&pLanguage != 0 {
		n := d.uvarint()
		if d.err == nil && (n == 0 || n > uint64(len(d.langs))) {
			d.fail("language count")
		}
		if d.err == nil {
			p.Language = d.langs[:n:n]
			d.langs = d.langs[n:]
			for i := range p.Language {
				p.Language[i] = d.str()
			}
		}
	}
	if flags&pLocation != 0 {
		p.Location = d.str()
	}
	p.HeaderStart = d.offset(cursor, limit)
	p.BodyStart = d.offset(p.HeaderStart, limit)
	p.End = d.offset(p.BodyStart, limit)
	lines := d.uvarint()
	if d.err == nil && lines > uint64(p.End-p.BodyStart) {
		d.fail("line count")
	}
	p.Lines = int64(lines)
	if flags&pChildren != 0 {
		n := d.uvarint()
		if d.err == nil && (n == 0 || n > uint64(len(d.kids))) {
			d.fail("child count")
		}
		if d.err != nil {
			return nil
		}
		p.Children = d.kids[:n:n]
		d.kids = d.kids[n:]
		c := p.BodyStart
		for i := range p.Children {
			k := d.part(c, p.End, depth+1)
			if d.err != nil {
				return nil
			}
			p.Children[i] = k
			c = k.End
		}
	}
	if flags&pMessage != 0 {
		p.Message = d.envelope()
		p.MessageBody = d.part(p.BodyStart, p.End, depth+1)
	}
	if d.err != nil {
		return nil
	}
	return p
}
