package main

import (
	"strings"
	"testing"
)

func TestFlagsModel(t *testing.T) {
	if got := canonFlags([]string{`\Seen`, "$Work", `\Recent`, `\seen`, `\Answered`}); got != `$work \answered \seen` {
		t.Errorf("canonFlags: %q", got)
	}
	f := with(`\seen`, `\Flagged`, true)
	if f != `\flagged \seen` || !has(f, `\FLAGGED`) || has(with(f, `\Seen`, false), `\seen`) {
		t.Errorf("with/has: %q", f)
	}
	a := map[uint32]string{1: "", 2: `\seen`, 3: ""}
	b := map[uint32]string{1: "", 2: "", 4: ""}
	d := diffBoxes(a, b, 10)
	for _, want := range []string{"UID 2 flags (\\seen), server has ()", "UID 4 missing", "UID 3 is gone"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff %q lacks %q", d, want)
		}
	}
	if diffBoxes(a, a, 10) != "" {
		t.Error("equal boxes differ")
	}
}

func TestOwnSize(t *testing.T) {
	tr := &truth{
		seq:     map[uint32]uint32{5: 2, 12: 7},
		written: map[uint32]string{5: `\Seen $Work`, 12: ""},
		modseqs: map[uint32]uint64{5: 1001, 12: 1002},
		highest: 1003,
	}
	want := len("* 2 FETCH (UID 5 FLAGS (\\Seen $Work) MODSEQ (1001))\r\n") +
		len("* 7 FETCH (UID 12 FLAGS () MODSEQ (1002))\r\n") +
		len("* VANISHED (EARLIER) 8:9,30\r\n")
	if got := tr.ownSize([]uint32{5, 12}, []uint32{30, 9, 8}); got != want {
		t.Errorf("own size %d, want %d", got, want)
	}
}
