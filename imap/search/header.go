package search

import (
	"bytes"
	"iter"
)

// fields yields the name and raw value of every field of a header, in
// order, stopping at the blank line that ends it (RFC 5322 §2.2). The value
// is everything after the colon, folding line breaks included, without the
// final line break. A line without a colon is skipped, as mimeinfo does; so
// is a continuation line with no field before it. Blanks between a name and
// its colon (obsolete syntax, RFC 5322 §4.5) are dropped from the name.
func fields(raw []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		pos := 0
		for pos < len(raw) {
			end := lineEnd(raw, pos)
			line := raw[pos:end]
			if isBlankLine(line) {
				return
			}
			if line[0] == ' ' || line[0] == '\t' {
				pos = end
				continue
			}
			fend := end
			for fend < len(raw) && (raw[fend] == ' ' || raw[fend] == '\t') {
				fend = lineEnd(raw, fend)
			}
			if colon := bytes.IndexByte(line, ':'); colon > 0 {
				name := bytes.TrimRight(line[:colon], " \t")
				value := bytes.TrimRight(raw[pos+colon+1:fend], "\r\n")
				if len(name) > 0 && !yield(name, value) {
					return
				}
			}
			pos = fend
		}
	}
}

// lineEnd returns the index after the line feed that ends the line at pos,
// or len(raw).
func lineEnd(raw []byte, pos int) int {
	if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
		return pos + i + 1
	}
	return len(raw)
}

func isBlankLine(line []byte) bool {
	return len(line) == 0 || line[0] == '\n' || line[0] == '\r' && (len(line) == 1 || line[1] == '\n')
}

// appendUnfolded appends value with its folding removed (RFC 5322 §2.2.3:
// the CRLF before each continuation line goes, the blank after it stays) and
// surrounding blanks trimmed.
func appendUnfolded(dst, value []byte) []byte {
	value = bytes.Trim(value, " \t\r\n")
	for len(value) > 0 {
		i := bytes.IndexAny(value, "\r\n")
		if i < 0 {
			return append(dst, value...)
		}
		dst = append(dst, value[:i]...)
		value = value[i+1:]
	}
	return dst
}

var encodedWordStart = []byte("=?")

// writeHeader writes the fields of a header to a scanner as lines of
// "name: value", unfolded, each one a unit of its own; when a value holds
// RFC 2047 encoded words, its decoded form is written too, as a unit of its
// own, so that both the raw and the decoded text can match.
func writeHeader(s *scanner, raw []byte) {
	var buf []byte
	for name, value := range fields(raw) {
		if s.done() {
			return
		}
		buf = append(buf[:0], name...)
		buf = append(buf, ": "...)
		start := len(buf)
		buf = appendUnfolded(buf, value)
		s.write(buf)
		s.flush()
		if bytes.Contains(buf[start:], encodedWordStart) {
			dec := decodeWords(buf[start:])
			s.write(buf[:start])
			s.write(dec)
			s.flush()
		}
	}
}
