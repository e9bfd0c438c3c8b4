package sieve

import (
	"context"
	"time"
)

// extDuplicate is duplicate (RFC 7352): is this message's ID one an
// earlier delivery to the account recorded? The engine only asks
// (Input.Duplicates) and lists what to record (Result.Duplicates); the
// caller records after the message was delivered, so a failed delivery
// never makes its own retry a duplicate (RFC 7352 §3).
var extDuplicate = extension{
	name: "duplicate",
	specs: []*spec{{
		name: "duplicate",
		test: true,
		tags: []tagSpec{
			{name: "handle", arg: argString},
			{name: "header", group: groupUniqueID, arg: argString},
			{name: "uniqueid", group: groupUniqueID, arg: argString},
			{name: "seconds", arg: argNumber},
			{name: "last"},
		},
		buildTest: buildDuplicate,
	}},
}

// groupUniqueID makes :header and :uniqueid exclusive (RFC 7352 §3.1).
const groupUniqueID = "unique ID source"

// DuplicateTracker is the account's list of IDs recorded by earlier
// deliveries, per handle.
type DuplicateTracker interface {
	// Seen reports whether id was recorded under handle and has not
	// expired yet. handle is "" for a test without :handle.
	Seen(ctx context.Context, handle, id string) (bool, error)
}

// DuplicateMark is one ID to record once the message was delivered.
type DuplicateMark struct {
	Handle string        // the :handle, "" without one
	ID     string        // the tracked value, compared case-sensitively
	Period time.Duration // how long the entry lives
	// Last: the entry expires Period after this delivery even if it
	// exists (:last refreshes it); otherwise an existing entry keeps the
	// expiry of its creation (RFC 7352 §3.3).
	Last bool
}

const (
	// DuplicateDefaultPeriod is the period without :seconds; RFC 7352
	// §3.3 suggests "around 7 days".
	DuplicateDefaultPeriod = 7 * 24 * time.Hour
	// DuplicateMaxPeriod caps :seconds, silently (RFC 7352 §3.3). Like
	// Pigeonhole's default maximum, a week: the list stays small.
	DuplicateMaxPeriod = 7 * 24 * time.Hour
)

func buildDuplicate(c *compiler, a *call) testFunc {
	header := c.value("message-id")
	if a.has("header") {
		// RFC 7352 §3.1: an invalid name is no error, the test is false.
		c.headerNames(a.tags["header"])
		header = c.value(a.tagStr("header"))
	}
	uniqueID, byID := c.value(a.tagStr("uniqueid")), a.has("uniqueid")
	handle := c.value(a.tagStr("handle"))
	period := DuplicateDefaultPeriod
	if v, ok := a.tags["seconds"]; ok {
		period = time.Duration(min(v.Number, uint64(DuplicateMaxPeriod/time.Second))) * time.Second
	}
	last := a.has("last")
	return func(r *run) (bool, error) {
		var id string
		if byID {
			id = uniqueID.get(r)
		} else {
			// RFC 7352 §3.1: the first field, unfolded, decoded and
			// trimmed; none means false and nothing recorded.
			vals := r.header(header.get(r))
			if len(vals) == 0 {
				return false, nil
			}
			id = vals[0]
		}
		// RFC 7352 §3.3: :seconds 0 is false unconditionally.
		if period <= 0 {
			return false, nil
		}
		h := handle.get(r)
		seen, err := r.duplicateSeen(h, id)
		if err != nil {
			return false, err
		}
		// RFC 7352 §3.3: a new entry is recorded; an existing one only
		// with :last, which restarts its period.
		if !seen || last {
			r.dupMarks = append(r.dupMarks, DuplicateMark{Handle: h, ID: id, Period: period, Last: last})
		}
		return seen, nil
	}
}

// duplicateSeen asks the tracker once per handle and ID: every test of a
// run with the same arguments gives the same answer, and IDs this run
// will record are not yet seen (RFC 7352 §3).
func (r *run) duplicateSeen(handle, id string) (bool, error) {
	if r.in.Duplicates == nil {
		return false, nil
	}
	k := handle + "\x00" + id
	if seen, ok := r.dupSeen[k]; ok {
		return seen, nil
	}
	seen, err := r.in.Duplicates.Seen(r.ctx, handle, id)
	if err != nil {
		return false, err
	}
	if r.dupSeen == nil {
		r.dupSeen = map[string]bool{}
	}
	r.dupSeen[k] = seen
	return seen, nil
}
