package search

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message/charset"
)

// passThrough reports whether text in charset cs can be searched as it is:
// no charset (US-ASCII by default, RFC 2045 §5.2), US-ASCII, or UTF-8.
// Invalid bytes in such text are matched as bytes.
func passThrough(cs string) bool {
	switch strings.ToLower(cs) {
	case "", "us-ascii", "ascii", "utf-8", "utf8":
		return true
	}
	return false
}

// charsetReader returns a reader converting r from charset cs to UTF-8, or
// false when the charset is unknown (go-message/charset knows the IANA and
// WHATWG names that golang.org/x/text implements).
func charsetReader(cs string, r io.Reader) (io.Reader, bool) {
	cr, err := charset.Reader(cs, r)
	if err != nil {
		return nil, false
	}
	return cr, true
}

// decodeWords decodes the RFC 2047 encoded words in an unfolded header
// value to UTF-8. Blanks between two adjacent encoded words go (RFC 2047
// §6.2). A word that is malformed or in an unknown charset is left as it is,
// and so is the text around the words.
func decodeWords(s []byte) []byte {
	var out []byte
	prevWord := false
	for {
		j := bytes.Index(s, encodedWordStart)
		if j < 0 {
			return append(out, s...)
		}
		n, dec, ok := decodeWord(s[j:])
		if !ok {
			out = append(out, s[:j+2]...)
			s = s[j+2:]
			prevWord = false
			continue
		}
		if gap := s[:j]; !prevWord || len(bytes.Trim(gap, " \t")) > 0 {
			out = append(out, gap...)
		}
		out = append(out, dec...)
		s = s[j+n:]
		prevWord = true
	}
}

// decodeWord decodes the encoded word "=?charset?encoding?text?=" at the
// start of s (RFC 2047 §2) and returns its length. The charset may carry an
// RFC 2231 §5 language suffix ("utf-8*en"), which is ignored. Decoding is
// lenient: B text with bad padding or stray characters is decoded as far as
// it goes.
func decodeWord(s []byte) (n int, dec []byte, ok bool) {
	rest := s[2:]
	q := bytes.IndexByte(rest, '?')
	if q <= 0 {
		return 0, nil, false
	}
	cs := string(rest[:q])
	if strings.ContainsAny(cs, " \t()<>@,;:\"/[]=") {
		return 0, nil, false
	}
	if star := strings.IndexByte(cs, '*'); star >= 0 {
		cs = cs[:star]
	}
	rest = rest[q+1:]
	if len(rest) < 2 || rest[1] != '?' {
		return 0, nil, false
	}
	enc := rest[0] | 0x20
	rest = rest[2:]
	end := bytes.Index(rest, []byte("?="))
	if end < 0 {
		return 0, nil, false
	}
	text := rest[:end]
	n = len(s) - len(rest) + end + 2

	var raw []byte
	switch enc {
	case 'b':
		raw = decodeBase64(text)
	case 'q':
		raw = make([]byte, 0, len(text))
		for i := 0; i < len(text); i++ {
			c := text[i]
			switch {
			case c == '_':
				c = ' '
			case c == '=' && i+2 < len(text):
				if h, ok := unhex(text[i+1], text[i+2]); ok {
					c = h
					i += 2
				}
			}
			raw = append(raw, c)
		}
	default:
		return 0, nil, false
	}
	if passThrough(cs) {
		return n, raw, true
	}
	r, known := charsetReader(cs, bytes.NewReader(raw))
	if !known {
		return 0, nil, false
	}
	dec, err := io.ReadAll(r)
	if err != nil {
		return 0, nil, false
	}
	return n, dec, true
}

// decodeBase64 decodes a short base64 text with base64Reader.
func decodeBase64(text []byte) []byte {
	d := base64Reader{src: text}
	out := make([]byte, len(text)*3/4+3)
	n := 0
	for {
		m, err := d.Read(out[n:])
		n += m
		if err != nil || m == 0 {
			return out[:n]
		}
	}
}

func unhex(hi, lo byte) (byte, bool) {
	h, ok1 := hexVal(hi)
	l, ok2 := hexVal(lo)
	return h<<4 | l, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
