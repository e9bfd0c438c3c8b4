package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// The keywords the changes set and clear, beside \Flagged and \Seen.
var keywords = []string{"$Work", "$Personal", "$ToDo", "Later"}

// changeSet is one round of changes made by another session while the
// client is away: flag changes on distinct messages, then one expunge of
// other messages.
type changeSet struct {
	stores   []string // UID STORE commands, one per changed message
	changed  []uint32 // the messages whose flags change, in the order changed
	expunged []uint32
}

// pickChanges chooses nFlags messages to change and nExpunge others to
// expunge, among the messages of want (the server's state as the benchmark
// knows it), and updates want. Every change is a real one: a flag added
// where it is absent or removed where it is present, so every changed
// message gets a new mod-sequence.
func pickChanges(rng *rand.Rand, want *box, nFlags, nExpunge int) changeSet {
	uids := want.uids()
	k := min(nFlags+nExpunge, len(uids))
	for i := range k { // a partial Fisher-Yates shuffle picks k distinct messages
		j := i + rng.IntN(len(uids)-i)
		uids[i], uids[j] = uids[j], uids[i]
	}
	var cs changeSet
	for i, uid := range uids[:k] {
		if i >= nFlags {
			cs.expunged = append(cs.expunged, uid)
			continue
		}
		cur := want.flags[uid]
		type op struct {
			flag string
			add  bool
		}
		var ops []op
		if !has(cur, `\Flagged`) {
			ops = append(ops, op{`\Flagged`, true})
		}
		ops = append(ops, op{`\Seen`, !has(cur, `\Seen`)})
		kw := keywords[rng.IntN(len(keywords))]
		ops = append(ops, op{kw, !has(cur, kw)})
		o := ops[rng.IntN(len(ops))]
		sign := "-"
		if o.add {
			sign = "+"
		}
		cs.stores = append(cs.stores, fmt.Sprintf("UID STORE %d %sFLAGS.SILENT (%s)", uid, sign, o.flag))
		cs.changed = append(cs.changed, uid)
		want.flags[uid] = with(cur, o.flag, o.add)
	}
	for _, uid := range cs.expunged {
		delete(want.flags, uid)
	}
	return cs
}

// applyChanges makes the changes in a session of its own, as another
// device of the same user would, and logs out.
func applyChanges(addr string, cs changeSet, timeout time.Duration) (time.Duration, error) {
	t0 := time.Now()
	c, err := login(addr, benchUser, benchPassword, timeout)
	if err != nil {
		return 0, fmt.Errorf("changes: %w", err)
	}
	defer c.logout()
	if _, err := c.ok("SELECT INBOX", nil); err != nil {
		return 0, fmt.Errorf("changes: %w", err)
	}
	for _, cmd := range cs.stores {
		if _, err := c.ok(cmd, nil); err != nil {
			return 0, fmt.Errorf("changes: %w", err)
		}
	}
	if len(cs.expunged) > 0 {
		set := formatUIDSet(cs.expunged)
		if _, err := c.ok("UID STORE "+set+` +FLAGS.SILENT (\Deleted)`, nil); err != nil {
			return 0, fmt.Errorf("changes: %w", err)
		}
		gone := 0
		_, err := c.ok("UID EXPUNGE "+set, func(line []byte) error {
			if _, kw, _, ok := untagged(line); ok && kw == "EXPUNGE" {
				gone++
			}
			if _, uids, ok, err := parseVanished(line); ok && err == nil {
				gone += len(uids)
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("changes: %w", err)
		}
		if gone != len(cs.expunged) {
			return 0, fmt.Errorf("changes: UID EXPUNGE %s removed %d messages, want %d", set, gone, len(cs.expunged))
		}
	}
	return time.Since(t0), nil
}
