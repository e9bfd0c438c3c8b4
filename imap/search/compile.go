package search

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// op is what a node tests.
type op uint8

const (
	opTrue op = iota
	opFalse
	opAnd // every kid
	opOr  // any kid
	opNot // not kids[0]

	opSeq      // SeqNum in nums
	opUID      // UID in nums
	opSysFlags // every bit of on set, every bit of off clear
	opRecent   // Recent == want
	opKeyword  // keyword name present == want
	opLarger   // Size > num
	opSmaller  // Size < num
	opModSeq   // ModSeq >= num
	opSince    // internal date's day >= num
	opBefore   // internal date's day < num

	opSentSince  // sent date's day >= num
	opSentBefore // sent date's day < num

	opHeader // a field called name contains needle
	opBody   // body text contains needles[idx]
	opText   // header or body text contains needles[idx]
)

// Cost classes: the order in which an AND or an OR tries its kids.
const (
	costRecord = iota // the storage.Message record and the session
	costInfo          // the parsed description
	costHeader        // the raw top-level header
	costBody          // the whole message
)

// node is one test in the compiled tree. A single concrete type, rather
// than an interface per key, keeps Match free of allocations and indirect
// calls.
type node struct {
	op   op
	cost uint8
	want bool

	kids    []*node
	nums    numSet
	on, off storage.SystemFlags
	num     int64
	name    string // keyword, or header field name
	needle  []byte // folded HEADER string; empty matches any occurrence
	idx     int    // index into Matcher.needles
}

func (n *node) needs() Needs {
	switch n.op {
	case opSentSince, opSentBefore:
		return Needs{Info: true}
	case opHeader:
		return Needs{Header: true}
	case opBody:
		return Needs{Info: true, Body: true}
	case opText:
		return Needs{Info: true, Header: true, Body: true}
	}
	var out Needs
	for _, k := range n.kids {
		kn := k.needs()
		out.Info = out.Info || kn.Info
		out.Header = out.Header || kn.Header
		out.Body = out.Body || kn.Body
	}
	return out
}

var (
	trueNode  = &node{op: opTrue}
	falseNode = &node{op: opFalse}
)

// builder turns go-imap criteria into nodes.
type builder struct {
	m    *Matcher
	opts Options
	keys int
}

func (b *builder) key() error {
	b.keys++
	if b.keys > MaxKeys {
		return fmt.Errorf("%w (more than %d)", ErrTooManyKeys, MaxKeys)
	}
	return nil
}

// criteria compiles one SearchCriteria: the AND of all its fields (the
// implicit AND of RFC 3501 §6.4.4, "multiple search keys ... match the
// intersection").
func (b *builder) criteria(c *imap.SearchCriteria, depth int) (*node, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w (more than %d levels of NOT and OR)", ErrTooDeep, MaxDepth)
	}
	var kids []*node
	add := func(n *node) error {
		kids = append(kids, n)
		return b.key()
	}

	for _, s := range c.SeqNum {
		n := &node{op: opSeq, nums: resolveSet(seqRanges(s), b.opts.MaxSeqNum)}
		if imap.IsSearchRes(s) {
			n = b.searchRes()
		}
		if err := add(n); err != nil {
			return nil, err
		}
	}
	for _, s := range c.UID {
		n := &node{op: opUID, nums: resolveSet(s, uint32(b.opts.MaxUID))}
		if imap.IsSearchRes(s) {
			n = b.searchRes()
		}
		if err := add(n); err != nil {
			return nil, err
		}
	}

	fl, err := b.flags(c)
	if err != nil {
		return nil, err
	}
	kids = append(kids, fl...)

	// LARGER and SMALLER compare RFC822.SIZE strictly (RFC 3501 §6.4.4).
	// go-imap cannot tell "SMALLER 0" from no SMALLER key: 0 means absent.
	if c.Larger != 0 {
		if err := add(&node{op: opLarger, num: c.Larger}); err != nil {
			return nil, err
		}
	}
	if c.Smaller != 0 {
		if err := add(&node{op: opSmaller, num: c.Smaller}); err != nil {
			return nil, err
		}
	}

	// MODSEQ (RFC 7162 §3.1.5): mod-sequence >= the value. The store keeps
	// one mod-sequence per message, not one per flag, and RFC 7162 §3.1.5
	// has a server without separate mod-sequences per metadata item ignore
	// the entry name and type: a "/flags/\seen" entry is answered with the
	// message's mod-sequence, which is never lower than that of any of its
	// flags, so the result may include messages whose named flag did not
	// change but never misses one whose flag did.
	if c.ModSeq != nil {
		b.m.modseq = true
		if err := add(&node{op: opModSeq, num: int64(min(c.ModSeq.ModSeq, 1<<63-1))}); err != nil {
			return nil, err
		}
	}

	// Dates: only the date counts, not the time or zone of the argument
	// (go-imap parses "1-Feb-2024" as midnight UTC; ON arrives as SINCE d
	// and BEFORE d+1).
	dates := []struct {
		t  time.Time
		op op
	}{
		{c.Since, opSince}, {c.Before, opBefore},
		{c.SentSince, opSentSince}, {c.SentBefore, opSentBefore},
	}
	for _, d := range dates {
		if d.t.IsZero() {
			continue
		}
		n := &node{op: d.op, num: dayOf(d.t)}
		if d.op == opSentSince || d.op == opSentBefore {
			n.cost = costInfo
		}
		if err := add(n); err != nil {
			return nil, err
		}
	}

	for _, h := range c.Header {
		n := &node{op: opHeader, cost: costHeader, name: h.Key, needle: foldString(h.Value)}
		if err := add(n); err != nil {
			return nil, err
		}
	}
	for _, s := range c.Body {
		if err := add(b.text(opBody, s)); err != nil {
			return nil, err
		}
	}
	for _, s := range c.Text {
		if err := add(b.text(opText, s)); err != nil {
			return nil, err
		}
	}

	for i := range c.Not {
		k, err := b.criteria(&c.Not[i], depth+1)
		if err != nil {
			return nil, err
		}
		kids = append(kids, not(k))
	}
	for i := range c.Or {
		x, err := b.criteria(&c.Or[i][0], depth+1)
		if err != nil {
			return nil, err
		}
		y, err := b.criteria(&c.Or[i][1], depth+1)
		if err != nil {
			return nil, err
		}
		kids = append(kids, or(x, y))
	}
	return and(kids), nil
}

// searchRes is the node for "$": the saved result, by UID.
func (b *builder) searchRes() *node {
	if b.opts.SearchRes == nil || imap.IsSearchRes(b.opts.SearchRes) {
		return falseNode
	}
	return &node{op: opUID, nums: resolveSet(b.opts.SearchRes, uint32(b.opts.MaxUID))}
}

// flags compiles Flag and NotFlag. System flags are matched by name
// case-insensitively into bits (RFC 3501 §2.3.2); \Recent is the session's
// (RFC 3501 §2.3.2; NEW and OLD arrive as \Recent and \Seen keys); anything
// else is a keyword, compared case-insensitively like every flag name in
// the store. A system flag the store does not know is never set.
func (b *builder) flags(c *imap.SearchCriteria) ([]*node, error) {
	var (
		out            []*node
		on, off        storage.SystemFlags
		recent, notRec bool
		never          bool
	)
	classify := func(f imap.Flag, want bool) error {
		if err := b.key(); err != nil {
			return err
		}
		name := string(f)
		switch {
		case strings.EqualFold(name, `\Recent`):
			recent = recent || want
			notRec = notRec || !want
		case strings.HasPrefix(name, `\`):
			bit := storage.ParseFlags([]string{name}).System
			switch {
			case bit == 0:
				never = never || want
			case want:
				on |= bit
			default:
				off |= bit
			}
		default:
			out = append(out, &node{op: opKeyword, name: name, want: want})
		}
		return nil
	}
	for _, f := range c.Flag {
		if err := classify(f, true); err != nil {
			return nil, err
		}
	}
	for _, f := range c.NotFlag {
		if err := classify(f, false); err != nil {
			return nil, err
		}
	}
	switch {
	case never || on&off != 0 || recent && notRec:
		return []*node{falseNode}, nil
	case on|off != 0:
		out = append(out, &node{op: opSysFlags, on: on, off: off})
	}
	if recent || notRec {
		out = append(out, &node{op: opRecent, want: recent})
	}
	return out, nil
}

// text compiles BODY and TEXT. The empty string is a substring of every
// text (RFC 3501 §6.4.4), so it matches every message without reading it.
func (b *builder) text(o op, s string) *node {
	if s == "" {
		return trueNode
	}
	m := b.m
	m.needles = append(m.needles, foldString(s))
	m.textKeys = append(m.textKeys, o == opText)
	return &node{op: o, cost: costBody, idx: len(m.needles) - 1}
}

// and builds the conjunction of kids, cheapest first.
func and(kids []*node) *node {
	out := kids[:0]
	for _, k := range kids {
		switch k.op {
		case opTrue:
			continue
		case opFalse:
			return falseNode
		}
		out = append(out, k)
	}
	switch len(out) {
	case 0:
		return trueNode
	case 1:
		return out[0]
	}
	slices.SortStableFunc(out, func(a, b *node) int { return cmp.Compare(a.cost, b.cost) })
	return &node{op: opAnd, kids: out, cost: out[len(out)-1].cost}
}

// or builds the disjunction of x and y, cheaper first.
func or(x, y *node) *node {
	switch {
	case x.op == opTrue || y.op == opTrue:
		return trueNode
	case x.op == opFalse:
		return y
	case y.op == opFalse:
		return x
	}
	if y.cost < x.cost {
		x, y = y, x
	}
	return &node{op: opOr, kids: []*node{x, y}, cost: y.cost}
}

func not(x *node) *node {
	switch x.op {
	case opTrue:
		return falseNode
	case opFalse:
		return trueNode
	case opNot:
		return x.kids[0]
	}
	return &node{op: opNot, kids: []*node{x}, cost: x.cost}
}

// dayOf numbers t's calendar date in t's own zone so that later dates
// get larger numbers.
func dayOf(t time.Time) int64 {
	y, m, d := t.Date()
	return int64(y)*10000 + int64(m)*100 + int64(d)
}
