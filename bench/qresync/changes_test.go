package main

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestPickChanges: every change is a real change on a distinct message,
// the expunged messages are others, and the record follows.
func TestPickChanges(t *testing.T) {
	want := newBox(1)
	for uid := uint32(1); uid <= 500; uid++ {
		want.flags[uid] = canonFlags(strings.Fields([]string{"", `\Seen`, `\Seen \Flagged`, `$Work \Seen`}[uid%4]))
	}
	before := want.clone()
	cs := pickChanges(rand.New(rand.NewPCG(7, 7)), want, 100, 10)
	if len(cs.changed) != 100 || len(cs.stores) != 100 || len(cs.expunged) != 10 {
		t.Fatalf("%d changed, %d stores, %d expunged", len(cs.changed), len(cs.stores), len(cs.expunged))
	}
	all := append(slices.Clone(cs.changed), cs.expunged...)
	slices.Sort(all)
	if len(slices.Compact(all)) != 110 {
		t.Fatal("a message picked twice")
	}
	for i, uid := range cs.changed {
		if want.flags[uid] == before.flags[uid] {
			t.Errorf("%s changes nothing", cs.stores[i])
		}
		if !strings.HasPrefix(cs.stores[i], "UID STORE ") {
			t.Errorf("command %q", cs.stores[i])
		}
	}
	for _, uid := range cs.expunged {
		if _, ok := want.flags[uid]; ok {
			t.Errorf("expunged UID %d still recorded", uid)
		}
	}
	if len(want.flags) != 490 {
		t.Errorf("%d messages recorded, want 490", len(want.flags))
	}
}
