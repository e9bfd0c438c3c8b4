package main

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestParseFetch(t *testing.T) {
	for _, tc := range []struct {
		line string
		want fetchData
	}{
		{`* 12 FETCH (UID 34 FLAGS (\Seen $Work) MODSEQ (567))`, fetchData{seq: 12, uid: 34, flags: []string{`\Seen`, "$Work"}, hasFlags: true, modseq: 567}},
		{`* 1 FETCH (MODSEQ (9) FLAGS () UID 2)`, fetchData{seq: 1, uid: 2, hasFlags: true, modseq: 9}},
		{`* 3 fetch (flags (\Recent) uid 7)`, fetchData{seq: 3, uid: 7, flags: []string{`\Recent`}, hasFlags: true}},
		{`* 4 FETCH (UID 8 INTERNALDATE "17-Jul-1996 02:44:25 -0700" ENVELOPE ("a b" NIL (("x" NIL "y" "z"))) FLAGS (\Draft))`, fetchData{seq: 4, uid: 8, flags: []string{`\Draft`}, hasFlags: true}},
		{`* 5 FETCH (UID 9 MODSEQ (9223372036854775807))`, fetchData{seq: 5, uid: 9, modseq: 1<<63 - 1}},
	} {
		got, ok, err := parseFetch([]byte(tc.line))
		if !ok || err != nil || got.seq != tc.want.seq || got.uid != tc.want.uid || got.modseq != tc.want.modseq ||
			got.hasFlags != tc.want.hasFlags || !slices.Equal(got.flags, tc.want.flags) {
			t.Errorf("%s:\n got %+v ok=%v err=%v\nwant %+v", tc.line, got, ok, err, tc.want)
		}
	}
	for _, line := range []string{`* 3 EXISTS`, `* OK [UIDNEXT 4] x`, `* VANISHED 3`, `* SEARCH 1 2`} {
		if _, ok, err := parseFetch([]byte(line)); ok || err != nil {
			t.Errorf("%s: taken for a FETCH (ok=%v, err=%v)", line, ok, err)
		}
	}
	for _, line := range []string{`* 1 FETCH UID 3`, `* 1 FETCH (UID x)`, `* 1 FETCH (UID 3 FLAGS \Seen)`, `* 1 FETCH (UID 3`, `* 1 FETCH (MODSEQ 5)`, `* 1 FETCH (UID 3) junk`, `* 1 FETCH ()`} {
		if _, ok, err := parseFetch([]byte(line)); !ok || err == nil {
			t.Errorf("%s: ok=%v err=%v, want a parse error", line, ok, err)
		}
	}
}

func TestParseVanished(t *testing.T) {
	earlier, uids, ok, err := parseVanished([]byte("* VANISHED (EARLIER) 41,43:45,50"))
	if !ok || err != nil || !earlier || !slices.Equal(uids, []uint32{41, 43, 44, 45, 50}) {
		t.Errorf("EARLIER: %v %v %v %v", earlier, uids, ok, err)
	}
	earlier, uids, ok, err = parseVanished([]byte("* vanished 7"))
	if !ok || err != nil || earlier || !slices.Equal(uids, []uint32{7}) {
		t.Errorf("plain: %v %v %v %v", earlier, uids, ok, err)
	}
	if _, _, ok, _ := parseVanished([]byte("* 3 EXPUNGE")); ok {
		t.Error("EXPUNGE taken for VANISHED")
	}
	if _, _, ok, err := parseVanished([]byte("* VANISHED (EARLIER) 1:*")); !ok || err == nil {
		t.Error("a set with * accepted")
	}
}

func TestUIDSets(t *testing.T) {
	if got := formatUIDSet([]uint32{9, 3, 4, 5, 1, 9, 7, 8}); got != "1,3:5,7:9" {
		t.Errorf("formatUIDSet: %s", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var uids []uint32
		for range rng.IntN(30) + 1 {
			uids = append(uids, uint32(rng.IntN(60)+1))
		}
		back, err := parseUIDSet(formatUIDSet(uids))
		slices.Sort(uids)
		if err != nil || !slices.Equal(back, slices.Compact(uids)) {
			t.Fatalf("%v → %q → %v, %v", uids, formatUIDSet(uids), back, err)
		}
	}
	for _, bad := range []string{"", "0", "1:", "a", "1,,2", "5:*"} {
		if _, err := parseUIDSet(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestResponseCodes(t *testing.T) {
	for line, want := range map[string][2]string{
		"* OK [HIGHESTMODSEQ 715194045007] Highest": {"HIGHESTMODSEQ", "715194045007"},
		"* OK [UIDVALIDITY 3857529045] UIDs valid":  {"UIDVALIDITY", "3857529045"},
		"* ok [closed] Previous mailbox closed.":    {"CLOSED", ""},
		"* OK no code":                              {"", ""},
		"* 3 EXISTS":                                {"", ""},
		"* FLAGS (\\Seen)":                          {"", ""},
	} {
		if n, a := statusCode([]byte(line)); n != want[0] || a != want[1] {
			t.Errorf("%s: %q %q", line, n, a)
		}
	}
	if v, ok := statusHighestModseq([]byte(`* STATUS INBOX (MESSAGES 3 HIGHESTMODSEQ 42)`)); !ok || v != 42 {
		t.Errorf("STATUS: %d %v", v, ok)
	}
	if v, ok := statusHighestModseq([]byte(`* STATUS "a (b)" (HIGHESTMODSEQ 7)`)); !ok || v != 7 {
		t.Errorf("STATUS with a parenthesis in the name: %d %v", v, ok)
	}
	if _, ok := statusHighestModseq([]byte(`* STATUS INBOX (MESSAGES 3)`)); ok {
		t.Error("HIGHESTMODSEQ found where there is none")
	}
}
