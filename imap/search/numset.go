package search

import (
	"slices"

	"github.com/emersion/go-imap/v2"
)

// span is a closed range of message numbers, lo <= hi.
type span struct{ lo, hi uint32 }

// numSet is a sequence set or UID set with "*" resolved: sorted, merged
// spans, so that membership is a binary search.
type numSet []span

// resolveSet turns go-imap ranges into a numSet. go-imap writes "*" as 0
// and keeps "n:*" as {n, 0}; star is the value "*" stands for in this
// mailbox (the number of messages, or the largest UID). RFC 9051 §9
// (seq-range) says "n:*" and "*:n" are the same range and include "*" even
// when n is larger, so the ends are put in order after substitution.
func resolveSet(ranges []imap.UIDRange, star uint32) numSet {
	out := make(numSet, 0, len(ranges))
	for _, r := range ranges {
		lo, hi := uint32(r.Start), uint32(r.Stop)
		if lo == 0 {
			lo = star
		}
		if hi == 0 {
			hi = star
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if hi == 0 {
			continue // "*" in an empty mailbox: no message
		}
		lo = max(lo, 1)
		out = append(out, span{lo, hi})
	}
	slices.SortFunc(out, func(a, b span) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && (merged[n-1].hi == ^uint32(0) || s.lo <= merged[n-1].hi+1) {
			merged[n-1].hi = max(merged[n-1].hi, s.hi)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// seqRanges and uidRanges give both set types one shape for resolveSet.
func seqRanges(s imap.SeqSet) []imap.UIDRange {
	out := make([]imap.UIDRange, len(s))
	for i, r := range s {
		out[i] = imap.UIDRange{Start: imap.UID(r.Start), Stop: imap.UID(r.Stop)}
	}
	return out
}

// contains reports whether n is in the set.
func (s numSet) contains(n uint32) bool {
	_, found := slices.BinarySearchFunc(s, n, func(sp span, n uint32) int {
		switch {
		case sp.hi < n:
			return -1
		case sp.lo > n:
			return 1
		}
		return 0
	})
	return found
}
