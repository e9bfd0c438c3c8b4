package search

import (
	"bytes"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Case-insensitive matching. RFC 3501 §6.4.4 says string matching is
// case-insensitive; RFC 9051 §6.4.4 asks for it within ASCII and lets a
// server do more. Zest folds with Unicode simple case folding (the 1:1
// mappings of CaseFolding.txt, status C and S, as unicode.SimpleFold walks
// them): "É" finds "é", the Kelvin sign finds "k", "ẞ" finds "ß". Full
// folding (status F) is not applied, so one character never matches two:
// "GRÜSSE" does not find "grüße", though "GRÜẞE" does. No normalisation
// either: a precomposed "é" does not find "e" followed by U+0301.
//
// Both sides are rewritten rune by rune into a canonical member of each
// rune's fold orbit, the smallest code point, and compared byte-wise; since
// UTF-8 is self-synchronising, a byte match of a valid needle starts and ends
// on rune boundaries of the text. Bytes that are not UTF-8 are kept as they
// are, so an 8-bit text in an unknown charset is still matched exactly.

// foldRune returns the smallest rune that r simple-folds to.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

// appendFold appends the folded form of the complete runes of src to dst.
// It stops before an incomplete UTF-8 sequence at the end of src and
// reports how many bytes it consumed, so that a stream can be folded in
// pieces.
func appendFold(dst, src []byte) ([]byte, int) {
	dst = slices.Grow(dst, len(src))
	i := 0
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		if !utf8.FullRune(src[i:]) {
			break
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, foldRune(r))
		}
		i += size
	}
	return dst, i
}

// foldString folds a whole string, keeping a trailing partial rune as is.
func foldString(s string) []byte {
	b, n := appendFold(nil, []byte(s))
	return append(b, s[n:]...)
}

// containsFold reports whether the folded text of hay contains needle,
// which is already folded; buf is scratch space, returned for reuse.
func containsFold(buf, hay, needle []byte) (bool, []byte) {
	buf, n := appendFold(buf[:0], hay)
	buf = append(buf, hay[n:]...)
	return bytes.Contains(buf, needle), buf
}
