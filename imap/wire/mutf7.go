package wire

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands for itself
// except "&", which is written "&-"; any other run of characters is
// UTF-16BE in a modified base64 (with "," for "/") between "&" and "-".

var mutf7Base64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

// ErrBadUTF7 reports a mailbox name that is not valid modified UTF-7.
var ErrBadUTF7 = errors.New("invalid modified UTF-7 in mailbox name")

// DecodeMUTF7 turns a modified UTF-7 mailbox name into UTF-8.
func DecodeMUTF7(s string) (string, error) {
	if !strings.Contains(s, "&") {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				return "", ErrBadUTF7
			}
		}
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", ErrBadUTF7
		}
		if c != '&' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i+1:], '-')
		if end < 0 {
			return "", ErrBadUTF7
		}
		run := s[i+1 : i+1+end]
		i += end + 1
		if run == "" {
			b.WriteByte('&')
			continue
		}
		raw, err := mutf7Base64.DecodeString(run)
		if err != nil || len(raw)%2 != 0 {
			return "", ErrBadUTF7
		}
		units := make([]uint16, len(raw)/2)
		for j := range units {
			units[j] = uint16(raw[2*j])<<8 | uint16(raw[2*j+1])
		}
		for j := 0; j < len(units); j++ {
			r := rune(units[j])
			if utf16.IsSurrogate(r) {
				if j+1 >= len(units) {
					return "", ErrBadUTF7
				}
				r = utf16.DecodeRune(r, rune(units[j+1]))
				if r == utf8.RuneError {
					return "", ErrBadUTF7 // a lone or reversed surrogate
				}
				j++
			}
			// A run must not encode what could be written directly.
			if r >= 0x20 && r <= 0x7e {
				return "", ErrBadUTF7
			}
			b.WriteRune(r)
		}
		// Two encoded runs may not touch: "&AGE-&AGE-" must have been one run.
		if i+1 < len(s) && s[i+1] == '&' && i+2 < len(s) && s[i+2] != '-' {
			return "", ErrBadUTF7
		}
	}
	return b.String(), nil
}

// EncodeMUTF7 turns a UTF-8 mailbox name into modified UTF-7.
func EncodeMUTF7(s string) string {
	var b strings.Builder
	var run []uint16
	flush := func() {
		if len(run) == 0 {
			return
		}
		raw := make([]byte, 2*len(run))
		for i, u := range run {
			raw[2*i], raw[2*i+1] = byte(u>>8), byte(u)
		}
		b.WriteByte('&')
		b.WriteString(mutf7Base64.EncodeToString(raw))
		b.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		switch {
		case r == '&':
			flush()
			b.WriteString("&-")
		case r >= 0x20 && r <= 0x7e:
			flush()
			b.WriteRune(r)
		default:
			run = utf16.AppendRune(run, r)
		}
	}
	flush()
	return b.String()
}
