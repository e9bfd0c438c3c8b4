package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// box is a client's copy of a mailbox: every UID with its flags, and the
// HIGHESTMODSEQ it is up to date with (for QRESYNC).
type box struct {
	uidValidity uint32
	modseq      uint64
	flags       map[uint32]string // UID → canonical flags (see canonFlags)
}

func newBox(uidValidity uint32) *box {
	return &box{uidValidity: uidValidity, flags: map[uint32]string{}}
}

func (b *box) clone() *box {
	return &box{uidValidity: b.uidValidity, modseq: b.modseq, flags: maps.Clone(b.flags)}
}

// uids returns the UIDs in ascending order.
func (b *box) uids() []uint32 { return slices.Sorted(maps.Keys(b.flags)) }

// canonFlags is the form in which two servers' (or a server's and a
// model's) flags are compared: lower case, sorted, space-separated,
// without \Recent, which belongs to a session and is not synchronised.
func canonFlags(flags []string) string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		f = strings.ToLower(f)
		if f == `\recent` || slices.Contains(out, f) {
			continue
		}
		out = append(out, f)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// has reports whether canonical flags include f (any case).
func has(canon, f string) bool { return slices.Contains(strings.Fields(canon), strings.ToLower(f)) }

// with returns canonical flags with f added or removed.
func with(canon, f string, add bool) string {
	fs := strings.Fields(canon)
	f = strings.ToLower(f)
	fs = slices.DeleteFunc(fs, func(x string) bool { return x == f })
	if add {
		fs = append(fs, f)
	}
	return canonFlags(fs)
}

// diffBoxes describes how got differs from want, at most max differences;
// empty when they are equal.
func diffBoxes(got, want map[uint32]string, max int) string {
	var d []string
	more := 0
	note := func(s string) {
		if len(d) < max {
			d = append(d, s)
		} else {
			more++
		}
	}
	for _, uid := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[uid]
		switch {
		case !ok:
			note(fmt.Sprintf("UID %d missing", uid))
		case g != want[uid]:
			note(fmt.Sprintf("UID %d flags (%s), server has (%s)", uid, g, want[uid]))
		}
	}
	for _, uid := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[uid]; !ok {
			note(fmt.Sprintf("UID %d is gone from the server", uid))
		}
	}
	if len(d) == 0 {
		return ""
	}
	s := strings.Join(d, "; ")
	if more > 0 {
		s += fmt.Sprintf("; and %d more", more)
	}
	return s
}

// truth is the server's state read at leisure after a resync (EXAMINE and
// UID FETCH 1:* (UID FLAGS MODSEQ)), with what the minimal description of
// a change needs: sequence numbers, the flags as the server writes them,
// mod-sequences.
type truth struct {
	box
	seq     map[uint32]uint32 // UID → message number
	written map[uint32]string // UID → the flags as the server wrote them, space-separated
	modseqs map[uint32]uint64 // UID → MODSEQ, when the server returns it
	highest uint64            // HIGHESTMODSEQ
}

// ownSize is the size of the smallest answer that tells a client about a
// set of changes: one FETCH with UID, FLAGS and MODSEQ per changed message,
// as `* <seq> FETCH (UID <uid> FLAGS (<flags>) MODSEQ (<modseq>))`, and one
// `* VANISHED (EARLIER) <uid-set>` for the expunged ones, with the
// server's own numbers and flags. A server that does not return
// mod-sequences is counted with its HIGHESTMODSEQ for each.
func (t *truth) ownSize(changed, expunged []uint32) int {
	n := 0
	for _, uid := range changed {
		ms, ok := t.modseqs[uid]
		if !ok {
			ms = t.highest
		}
		n += len(fmt.Sprintf("* %d FETCH (UID %d FLAGS (%s) MODSEQ (%d))\r\n", t.seq[uid], uid, t.written[uid], ms))
	}
	if len(expunged) > 0 {
		n += len("* VANISHED (EARLIER) " + formatUIDSet(expunged) + "\r\n")
	}
	return n
}
