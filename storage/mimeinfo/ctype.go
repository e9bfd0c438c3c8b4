package mimeinfo

import (
	"sort"
	"strings"
)

// isTSpecial reports the RFC 2045 tspecials, which end a token.
func isTSpecial(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=':
		return true
	}
	return false
}

// isTokenByte reports bytes allowed in an RFC 2045 token. 8-bit bytes are
// let in: they occur in real mail and refusing them helps no one.
func isTokenByte(c byte) bool {
	return c > ' ' && c != 0x7f && !isTSpecial(c)
}

// skipCFWS skips blanks, line breaks and (nested) comments from i.
func skipCFWS(s string, i int) int {
	for i < len(s) {
		switch c := s[i]; {
		case isBlank(c):
			i++
		case c == '(':
			i = skipComment(s, i)
		default:
			return i
		}
	}
	return i
}

// skipComment skips the comment that starts at s[i] == '('; an unclosed
// comment runs to the end.
func skipComment(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

func token(s string, i int) (string, int) {
	j := i
	for j < len(s) && isTokenByte(s[j]) {
		j++
	}
	return s[i:j], j
}

// quoted reads the quoted string that starts at s[i] == '"' and returns its
// content with backslash escapes removed. An unterminated string runs to the
// end.
func quoted(s string, i int) (string, int) {
	i++
	start := i
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"':
			return s[start:j], j + 1
		case '\\':
			return quotedSlow(s, start)
		}
	}
	return s[start:], len(s)
}

func quotedSlow(s string, start int) (string, int) {
	var b strings.Builder
	for j := start; j < len(s); j++ {
		switch c := s[j]; c {
		case '"':
			return b.String(), j + 1
		case '\\':
			if j+1 < len(s) {
				j++
				b.WriteByte(s[j])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), len(s)
}

// parseMediaType parses a Content-Type value. ok is false when there is no
// type "/" subtype, in which case RFC 2045 §5.2 says to use the default.
// Type and subtype are returned lower-cased.
func parseMediaType(s string) (typ, sub string, params []Param, ok bool) {
	i := skipCFWS(s, 0)
	typ, i = token(s, i)
	i = skipCFWS(s, i)
	if typ == "" || i >= len(s) || s[i] != '/' {
		return "", "", nil, false
	}
	i = skipCFWS(s, i+1)
	sub, i = token(s, i)
	if sub == "" {
		return "", "", nil, false
	}
	return lower(typ), lower(sub), parseParams(s, i, nil), true
}

// parseDisposition parses a Content-Disposition value.
func parseDisposition(s string) (disp string, params []Param) {
	disp, i := token(s, skipCFWS(s, 0))
	if disp == "" {
		return "", nil
	}
	return lower(disp), parseParams(s, i, nil)
}

// parseEncoding parses a Content-Transfer-Encoding value: one token, else
// the default "7bit".
func parseEncoding(s string) string {
	enc, i := token(s, skipCFWS(s, 0))
	if enc == "" || skipCFWS(s, i) != len(s) {
		return "7bit"
	}
	return lower(enc)
}

// parseLanguage parses a Content-Language value: language tags separated
// by commas.
func parseLanguage(s string) []string {
	var tags []string
	for i := 0; i < len(s); {
		i = skipCFWS(s, i)
		var t string
		t, i = token(s, i)
		if t != "" {
			tags = append(tags, t)
		} else if i < len(s) {
			i++ // a comma, or junk
		}
	}
	return tags
}

// parseParams parses `*(";" name "=" value)` from s[i:], leniently: junk
// up to the next ';' is skipped, a parameter without a value is dropped,
// and an unquoted value runs to the next blank, ';', '"' or '(' (so the
// common unquoted boundary=----=_Part_1 works, though '=' is a tspecial).
func parseParams(s string, i int, params []Param) []Param {
	continued := false
	for {
		for i < len(s) && s[i] != ';' {
			switch s[i] {
			case '"':
				_, i = quoted(s, i)
			case '(':
				i = skipComment(s, i)
			default:
				i++
			}
		}
		if i >= len(s) {
			break
		}
		i = skipCFWS(s, i+1)
		var name string
		name, i = token(s, i)
		i = skipCFWS(s, i)
		if name == "" || i >= len(s) || s[i] != '=' {
			continue
		}
		i = skipCFWS(s, i+1)
		var value string
		if i < len(s) && s[i] == '"' {
			value, i = quoted(s, i)
		} else {
			j := i
			for j < len(s) && !isBlank(s[j]) && s[j] != ';' && s[j] != '"' && s[j] != '(' {
				j++
			}
			value, i = s[i:j], j
		}
		name = lower(name)
		if _, _, ok := continuation(name); ok {
			continued = true
		}
		params = append(params, Param{name, value})
	}
	if continued {
		params = joinContinuations(params)
	}
	return params
}

// continuation splits an RFC 2231 parameter piece name "base*N" or
// "base*N*" into its base, index and whether the piece is encoded.
func continuation(name string) (base string, idx int, ok bool) {
	star := strings.IndexByte(name, '*')
	if star <= 0 || star == len(name)-1 {
		return "", 0, false
	}
	j := star + 1
	for ; j < len(name) && '0' <= name[j] && name[j] <= '9'; j++ {
		if j-star > 6 {
			return "", 0, false // no message has a million pieces
		}
		idx = idx*10 + int(name[j]-'0')
	}
	if j == star+1 || (j < len(name) && (j != len(name)-1 || name[j] != '*')) {
		return "", 0, false
	}
	return name[:star], idx, true
}

// joinContinuations joins RFC 2231 pieces into one parameter per base name,
// placed where its first piece was. A base whose pieces are not numbered
// 0, 1, 2, … without a gap or repeat is left alone.
func joinContinuations(params []Param) []Param {
	type piece struct {
		base    string
		idx     int
		encoded bool
		at      int // index in params
	}
	var pieces []piece
	for i, p := range params {
		if base, idx, ok := continuation(p.Name); ok {
			pieces = append(pieces, piece{base, idx, strings.HasSuffix(p.Name, "*"), i})
		}
	}
	sort.SliceStable(pieces, func(a, b int) bool {
		if pieces[a].base != pieces[b].base {
			return pieces[a].base < pieces[b].base
		}
		return pieces[a].idx < pieces[b].idx
	})
	drop := make([]bool, len(params))
	for g := 0; g < len(pieces); {
		h := g
		complete, encoded := true, false
		first := pieces[g].at
		for ; h < len(pieces) && pieces[h].base == pieces[g].base; h++ {
			if pieces[h].idx != h-g {
				complete = false
			}
			encoded = encoded || pieces[h].encoded
			first = min(first, pieces[h].at)
		}
		if complete {
			var b strings.Builder
			if encoded && !pieces[g].encoded {
				b.WriteString("''") // no charset, no language
			}
			for _, pc := range pieces[g:h] {
				v := params[pc.at].Value
				if encoded && !pc.encoded {
					v = strings.ReplaceAll(v, "%", "%25")
				}
				b.WriteString(v)
				drop[pc.at] = true
			}
			name := pieces[g].base
			if encoded {
				name += "*"
			}
			params[first] = Param{name, b.String()}
			drop[first] = false
		}
		g = h
	}
	out := params[:0]
	for i, p := range params {
		if !drop[i] {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// lower returns s in ASCII lower case, without allocating when it already
// is.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
