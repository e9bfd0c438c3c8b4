package search

import (
	"bytes"
	"sync"
)

// chunkSize is how much folded text the scanner gathers before it looks
// for the needles, and the most it reads from a decoder at once. Memory for
// one scan is about chunkSize plus the longest needle, whatever the size of
// the message.
const chunkSize = 32 << 10

// scanner looks for several folded needles at once in a stream of text
// written in pieces. Text of one unit (a MIME part, one rendering of a
// header) is written, then flush ends the unit: a needle never matches
// across two units.
type scanner struct {
	needles [][]byte
	found   []bool // found[i]: needles[i] seen (or not wanted)
	left    int    // needles not found yet
	keep    int    // bytes of window kept between searches: longest needle - 1

	win   []byte // folded text not yet searched, after keep bytes already searched
	carry []byte // an incomplete UTF-8 sequence at the end of the last write
	tmp   []byte
}

// scanners keeps scanners' buffers between matches.
var scanners = sync.Pool{New: func() any { return new(scanner) }}

// newScanner looks for needles[i] where found[i] is false; it takes found
// over. Call release when done with it.
func newScanner(needles [][]byte, found []bool) *scanner {
	s := scanners.Get().(*scanner)
	s.needles, s.found, s.left, s.keep = needles, found, 0, 0
	for i, nd := range needles {
		if !found[i] {
			s.left++
			s.keep = max(s.keep, len(nd)-1)
		}
	}
	return s
}

// release returns s to the pool unless its window grew for a long needle.
func (s *scanner) release() {
	s.needles, s.found = nil, nil
	s.win, s.carry, s.tmp = s.win[:0], s.carry[:0], s.tmp[:0]
	if cap(s.win) <= 4*chunkSize && cap(s.tmp) <= 2*chunkSize {
		scanners.Put(s)
	}
}

// done reports whether every needle has been found, so that the rest of the
// text need not be read.
func (s *scanner) done() bool { return s.left == 0 }

// write adds text (UTF-8, or bytes in an unknown charset) to the current
// unit.
func (s *scanner) write(p []byte) {
	for len(p) > 0 && s.left > 0 {
		piece := p[:min(len(p), chunkSize)]
		p = p[len(piece):]
		if len(s.carry) > 0 {
			s.tmp = append(append(s.tmp[:0], s.carry...), piece...)
			piece = s.tmp
			s.carry = s.carry[:0]
		}
		var n int
		s.win, n = appendFold(s.win, piece)
		s.carry = append(s.carry, piece[n:]...)
		if len(s.win) >= chunkSize {
			s.search()
		}
	}
}

// flush ends the current unit: the text written so far is searched and
// forgotten.
func (s *scanner) flush() {
	if s.left == 0 {
		return
	}
	s.win = append(s.win, s.carry...) // a truncated sequence stays as bytes
	s.carry = s.carry[:0]
	s.search()
	s.win = s.win[:0]
}

// search looks for the needles still missing in the window and keeps its
// last keep bytes for the next search, so that a needle across two writes
// is found.
func (s *scanner) search() {
	for i, nd := range s.needles {
		if !s.found[i] && bytes.Contains(s.win, nd) {
			s.found[i] = true
			s.left--
		}
	}
	if len(s.win) > s.keep {
		n := copy(s.win, s.win[len(s.win)-s.keep:])
		s.win = s.win[:n]
	}
}
