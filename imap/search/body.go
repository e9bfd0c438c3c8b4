package search

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"sync"

	"zest/storage/mimeinfo"
)

// What BODY searches (RFC 3501 §6.4.4, "the body of the message"): the
// text a reader sees. That is every text/* part of the MIME tree, with its
// Content-Transfer-Encoding undone (base64, quoted-printable; anything else
// is taken as it is) and its charset converted to UTF-8 (an unknown charset
// is searched as raw bytes), and the header of every encapsulated
// message/rfc822 or message/global part, decoded like a top-level header.
// text/html is searched as it is, tags included. Other leaves (images,
// application/*, …) are skipped without being decoded, and so are multipart
// preambles and epilogues: a 50 MB base64 attachment costs nothing. Work is
// linear in the size of the text parts and memory is bounded by chunkSize
// and the longest string, since the parts are decoded, folded and searched
// as a stream.

// readBufs holds the buffers that decoders are read into.
var readBufs = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// writeBody writes the searchable text of part p of raw to s, each text
// part and each encapsulated header a unit of its own.
func writeBody(s *scanner, raw []byte, p *mimeinfo.Part) {
	if s.done() {
		return
	}
	switch {
	case p.IsMultipart():
		for _, c := range p.Children {
			writeBody(s, raw, c)
		}
	case p.IsMessage():
		mb := p.MessageBody
		writeHeader(s, slice(raw, mb.HeaderStart, mb.BodyStart))
		writeBody(s, raw, mb)
	case p.Type == "text":
		writeText(s, slice(raw, p.BodyStart, p.End), p.Encoding, p.Param("charset"))
		s.flush()
	}
}

// slice returns raw[start:end] with the offsets clamped into raw, so that
// a description that does not fit the blob cannot make us panic.
func slice(raw []byte, start, end int64) []byte {
	n := int64(len(raw))
	start = min(max(start, 0), n)
	end = min(max(end, start), n)
	return raw[start:end]
}

// writeText decodes one text part's body and writes it to s.
func writeText(s *scanner, body []byte, encoding, cs string) {
	var r io.Reader
	switch strings.ToLower(encoding) {
	case "base64":
		r = &base64Reader{src: body}
	case "quoted-printable":
		r = &qpReader{src: body}
	}
	if !passThrough(cs) {
		if r == nil {
			r = bytes.NewReader(body)
		}
		if cr, ok := charsetReader(cs, r); ok {
			r = cr
		}
	}
	if r == nil {
		s.write(body)
		return
	}
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	for !s.done() {
		n, err := r.Read(buf)
		s.write(buf[:n])
		if err != nil {
			// io.EOF, or a decoder that gave up: what was decoded counts.
			return
		}
	}
}

// base64Reader decodes base64 (RFC 2045 §6.8) leniently: characters
// outside the alphabet (line breaks, blanks, junk) are skipped, and "="
// ends a quantum wherever it stands, so that concatenated encodings decode
// too.
type base64Reader struct {
	src  []byte
	pos  int
	acc  uint32 // bits of the current quantum
	nacc int    // characters in acc

	pend  [3]byte // decoded bytes that did not fit in the caller's buffer
	npend int
}

var base64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

func (d *base64Reader) Read(p []byte) (int, error) {
	if d.npend > 0 {
		n := copy(p, d.pend[:d.npend])
		d.npend = copy(d.pend[:], d.pend[n:d.npend])
		return n, nil
	}
	n := 0
	for n+3 <= len(p) {
		if d.pos >= len(d.src) {
			n += d.flushQuantum(p[n:])
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		if d.nacc == 0 {
			// Fast path: whole quanta of alphabet characters in a row (a
			// line of a well-formed encoding) decode in bulk.
			run, limit := d.pos, min(len(d.src), d.pos+(len(p)-n)/3*4)
			for run < limit && base64Values[d.src[run]] != 0xFF {
				run++
			}
			q := (run - d.pos) / 4 * 4
			if q > 0 {
				m, _ := base64.StdEncoding.Decode(p[n:], d.src[d.pos:d.pos+q])
				n += m
				d.pos += q
				continue
			}
		}
		c := d.src[d.pos]
		d.pos++
		if c == '=' {
			n += d.flushQuantum(p[n:])
			continue
		}
		v := base64Values[c]
		if v == 0xFF {
			continue
		}
		d.acc = d.acc<<6 | uint32(v)
		d.nacc++
		if d.nacc == 4 {
			p[n], p[n+1], p[n+2] = byte(d.acc>>16), byte(d.acc>>8), byte(d.acc)
			n += 3
			d.acc, d.nacc = 0, 0
		}
	}
	if n == 0 && len(p) > 0 {
		// p has no room for a quantum: decode one aside.
		var q [3]byte
		m, err := d.Read(q[:])
		n = copy(p, q[:m])
		d.npend = copy(d.pend[:], q[n:m])
		return n, err
	}
	return n, nil
}

// flushQuantum writes out the bytes of an incomplete quantum (two
// characters give one byte, three give two) into p, which has room for 3.
func (d *base64Reader) flushQuantum(p []byte) int {
	n := 0
	switch d.nacc {
	case 2:
		p[0] = byte(d.acc >> 4)
		n = 1
	case 3:
		p[0], p[1] = byte(d.acc>>10), byte(d.acc>>2)
		n = 2
	}
	d.acc, d.nacc = 0, 0
	return n
}

// qpReader decodes quoted-printable (RFC 2045 §6.7) leniently: "=XX" with
// hex digits of either case is a byte, "=" at the end of a line is a soft
// line break, any other "=" is itself; blanks at the end of a line are
// dropped (rule 3).
type qpReader struct {
	src   []byte
	pos   int
	wsEnd int // blanks up to here are inside a line and kept
}

func (d *qpReader) Read(p []byte) (int, error) {
	src := d.src
	n := 0
	for n < len(p) && d.pos < len(src) {
		c := src[d.pos]
		if d.pos < d.wsEnd {
			p[n] = c
			n++
			d.pos++
			continue
		}
		switch c {
		case ' ', '\t':
			j := d.pos
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
			if j == len(src) || src[j] == '\r' || src[j] == '\n' {
				d.pos = j
			} else {
				d.wsEnd = j
			}
			continue
		case '=':
			j := d.pos + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
			switch {
			case j == len(src):
				d.pos = j
				continue
			case src[j] == '\n':
				d.pos = j + 1
				continue
			case src[j] == '\r' && j+1 < len(src) && src[j+1] == '\n':
				d.pos = j + 2
				continue
			}
			if d.pos+2 < len(src) {
				if b, ok := unhex(src[d.pos+1], src[d.pos+2]); ok {
					p[n] = b
					n++
					d.pos += 3
					continue
				}
			}
		}
		p[n] = c
		n++
		d.pos++
	}
	if n == 0 && d.pos >= len(src) {
		return 0, io.EOF
	}
	return n, nil
}
