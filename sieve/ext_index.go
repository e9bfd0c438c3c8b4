package sieve

import "math"

// extIndex is index (RFC 5260 §6): :index and :last on the header,
// address and date tests. spec: SV-69
var extIndex = extension{
	name: "index",
	tags: []extraTags{{to: []string{"header", "address", "date"}, tags: []tagSpec{
		{name: "index", arg: argNumber},
		{name: "last"},
	}}},
}

// fieldIndex is a test's :index and :last; n is 0 when :index was not
// given, and the test then looks at every field.
type fieldIndex struct {
	n    int
	last bool
}

// indexArgs reads :index and :last. A call whose row has no such tags
// (index not required) gets the zero fieldIndex.
func indexArgs(c *compiler, a *call) (fieldIndex, bool) {
	last, ok := a.tags["last"]
	if !a.has("index") {
		if ok {
			c.errorf(last.Pos, `":last" can only be used with ":index"`)
			return fieldIndex{}, false
		}
		return fieldIndex{}, true
	}
	idx := a.tags["index"]
	if idx.Number == 0 {
		// Fields are numbered from 1 (RFC 5260 §6): 0 names none.
		c.errorf(idx.Pos, `":index" counts fields from 1; 0 names no field`)
		return fieldIndex{}, false
	}
	n := int(min(idx.Number, math.MaxInt32))
	return fieldIndex{n: n, last: ok}, true
}

// pick returns the field :index selects among the fields of every name,
// taken name by name in the order the script gives them and each name's
// fields in message order, as Pigeonhole counts them. fields returns the
// values of one name.
func (x fieldIndex) pick(r *run, names []value, fields func(name string) []string) (string, bool) {
	want := x.n - 1
	if x.last {
		total := 0
		for _, n := range names {
			total += len(fields(n.get(r)))
		}
		want = total - x.n
	}
	if want < 0 {
		return "", false
	}
	for _, n := range names {
		vs := fields(n.get(r))
		if want < len(vs) {
			return vs[want], true
		}
		want -= len(vs)
	}
	return "", false
}
