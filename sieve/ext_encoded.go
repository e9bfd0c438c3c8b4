package sieve

import (
	"fmt"
	"strings"
)

// extEncodedCharacter is encoded-character (RFC 5228 §2.4.2.4); the
// compiler applies it to every string once the script requires it.
// spec: SV-21
var extEncodedCharacter = extension{name: "encoded-character"}

// decodeEncodedCharacters replaces ${hex:..} and ${unicode:..}. Malformed
// sequences stay as written; a well-formed one naming a surrogate or a code
// point beyond U+10FFFF is an error.
func decodeEncodedCharacters(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i:]
		out, n, err := encodedSequence(s)
		if err != nil {
			return "", err
		}
		if n == 0 {
			b.WriteString("${")
			s = s[2:]
			continue
		}
		b.WriteString(out)
		s = s[n:]
	}
}

// encodedSequence decodes one sequence at the start of s and returns its
// value and length, or length 0 when it is malformed.
func encodedSequence(s string) (string, int, error) {
	var unicode bool
	var body string
	switch {
	case len(s) >= 6 && strings.EqualFold(s[2:6], "hex:"):
		body = s[6:]
	case len(s) >= 10 && strings.EqualFold(s[2:10], "unicode:"):
		body, unicode = s[10:], true
	default:
		return "", 0, nil
	}
	end := strings.IndexByte(body, '}')
	if end < 0 {
		return "", 0, nil
	}
	length := len(s) - len(body) + end + 1
	items := strings.FieldsFunc(body[:end], func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' })
	if len(items) == 0 {
		return "", 0, nil
	}
	for _, it := range items {
		if strings.Trim(it, "0123456789abcdefABCDEF") != "" || (!unicode && len(it) > 2) {
			return "", 0, nil
		}
	}
	// A lone CR or LF is not a blank: only CRLF is.
	if strings.Contains(strings.ReplaceAll(body[:end], "\r\n", ""), "\r") ||
		strings.Contains(strings.ReplaceAll(body[:end], "\r\n", ""), "\n") {
		return "", 0, nil
	}
	var b strings.Builder
	for _, it := range items {
		var v uint64
		big := false
		for k := 0; k < len(it); k++ {
			v = v*16 + uint64(hexVal(it[k]))
			if v > 0x10FFFF {
				big = true
				break
			}
		}
		if !unicode {
			b.WriteByte(byte(v))
			continue
		}
		if big || v >= 0xD800 && v <= 0xDFFF {
			return "", 0, fmt.Errorf("encoded character %s names an invalid code point", s[:length])
		}
		b.WriteRune(rune(v))
	}
	return b.String(), length, nil
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
