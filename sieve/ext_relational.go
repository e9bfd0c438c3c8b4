package sieve

import (
	"strconv"
	"strings"
)

// extRelational is relational (RFC 5231): the match types :value and
// :count for every test that takes a match type. spec: SV-64, SV-65
var extRelational = extension{
	name: "relational",
	tags: []extraTags{{toGroup: groupMatch, tags: []tagSpec{
		{name: "value", group: groupMatch, arg: argString},
		{name: "count", group: groupMatch, arg: argString},
	}}},
}

// relation turns a relational-match operator into a test on the result of
// a comparator's ordering (RFC 5231 §5). The operators are ABNF quoted
// strings, so their case does not matter (RFC 5234 §2.3).
func relation(op string) (func(order int) bool, bool) {
	switch strings.ToLower(op) {
	case "gt":
		return func(o int) bool { return o > 0 }, true
	case "ge":
		return func(o int) bool { return o >= 0 }, true
	case "lt":
		return func(o int) bool { return o < 0 }, true
	case "le":
		return func(o int) bool { return o <= 0 }, true
	case "eq":
		return func(o int) bool { return o == 0 }, true
	case "ne":
		return func(o int) bool { return o != 0 }, true
	}
	return nil, false
}

// counting reports whether the test must count its values rather than
// match each of them (:count, RFC 5231 §4.2).
func (m *matcher) counting() bool { return m.kind == matchCount }

// matchSingle tests a test's one value: with :count it counts 0 for an
// empty value and 1 otherwise (environment, RFC 5183 §4;
// notify_method_capability, RFC 5435 §5).
func (m *matcher) matchSingle(r *run, v string) bool {
	if m.counting() {
		return m.matchCount(r, boolInt(v != ""))
	}
	return m.match(r, v)
}

// matchCount compares the number of values a test found with the keys:
// the count is written in decimal and ordered against each key by the
// comparator, and any key that satisfies the relation makes the test true
// (RFC 5231 §4.2, §4.1).
func (m *matcher) matchCount(r *run, n int) bool {
	count := strconv.Itoa(n)
	for _, k := range m.keys {
		if m.rel(m.cmp.order(count, k.get(r))) {
			return true
		}
	}
	return false
}
