package imap

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// searchFixture is 20 messages whose headers, flags, dates and sizes vary
// with their number i (1..20). UIDs are i+2: two messages were delivered
// and expunged first, so sequence numbers and UIDs differ.
type searchFixture struct {
	e     *testEnv
	sizes [21]int64
}

const searchFixtureN = 20

var searchFrom = []string{"Alice Smith <asmith@example.net>", "Bob Jones <bob@example.com>", "Carol <carol@example.org>"}

func searchMessage(i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: alice@example.org\r\n", searchFrom[i%3])
	if i%4 == 0 {
		b.WriteString("Cc: Dave <dave@example.com>\r\n")
	}
	if i == 5 {
		b.WriteString("Bcc: eve@example.com\r\n")
	}
	if i%5 == 0 {
		b.WriteString("X-Priority: 1\r\n")
	}
	if i == 13 {
		b.WriteString("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Zurich\r\n")
	} else {
		fmt.Fprintf(&b, "Subject: message %d\r\n", i)
	}
	fmt.Fprintf(&b, "Date: %d Feb 2025 09:00:00 +0000\r\nMessage-ID: <s%d@example.net>\r\n\r\nBody of message %d.\r\n", i, i, i)
	if i%6 == 0 {
		b.WriteString("The secret word is platypus.\r\n")
	}
	b.WriteString(strings.Repeat("z", i*100) + "\r\n")
	return []byte(b.String())
}

func searchFlags(i int) []string {
	var f []string
	if i%2 == 0 {
		f = append(f, `\Seen`)
	}
	if i%3 == 0 {
		f = append(f, `\Flagged`)
	}
	if i%5 == 0 {
		f = append(f, `\Answered`)
	}
	if i == 7 {
		f = append(f, `\Deleted`)
	}
	if i == 11 {
		f = append(f, `\Draft`)
	}
	if i%4 == 0 {
		f = append(f, "$Work")
	}
	return f
}

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	f := &searchFixture{e: e}
	e.deliver("", message(100), message(101))
	mb, err := e.store.MailboxByName(ctx, e.alice.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Expunge(ctx, e.alice.ID, mb.ID, []storage.UID{1, 2}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= searchFixtureN; i++ {
		raw := searchMessage(i)
		f.sizes[i] = int64(len(raw))
		in := storage.Incoming{Raw: raw, InternalDate: time.Date(2026, 1, i, 12, 0, 0, 0, time.Local)}
		res, err := e.store.Deliver(ctx, in, []storage.Target{{Account: e.alice.ID, Flags: searchFlags(i)}})
		if err != nil || res[0].Err != nil || res[0].UID != storage.UID(i+2) {
			t.Fatalf("deliver %d: %v %+v", i, err, res)
		}
		e.srv.recent.claim(res[0].MailboxID, res[0].UID, res[0].UID) // seen by another session: not \Recent here
	}
	return f
}

// selected returns a raw session with INBOX selected.
func (f *searchFixture) selected() *rawConn {
	r := f.e.rawLoggedIn()
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	return r
}

func searchLine(uid bool, pred func(i int) bool) string {
	s := "* SEARCH"
	for i := 1; i <= searchFixtureN; i++ {
		if pred(i) {
			n := i
			if uid {
				n = i + 2
			}
			s += fmt.Sprint(" ", n)
		}
	}
	return s
}

// TestSearchKeys runs every search key of RFC 3501 §6.4.4 (and RFC 9051
// §6.4.4) over the fixture and checks the exact SEARCH response.
func TestSearchKeys(t *testing.T) {
	f := newSearchFixture(t)
	r := f.selected()
	size := func(i int) int64 { return f.sizes[i] }
	cases := []struct {
		query string
		pred  func(i int) bool
	}{
		{"ALL", func(i int) bool { return true }},
		{"SEEN", func(i int) bool { return i%2 == 0 }},
		{"UNSEEN", func(i int) bool { return i%2 != 0 }},
		{"FLAGGED", func(i int) bool { return i%3 == 0 }},
		{"UNFLAGGED", func(i int) bool { return i%3 != 0 }},
		{"ANSWERED", func(i int) bool { return i%5 == 0 }},
		{"UNANSWERED", func(i int) bool { return i%5 != 0 }},
		{"DELETED", func(i int) bool { return i == 7 }},
		{"UNDELETED", func(i int) bool { return i != 7 }},
		{"DRAFT", func(i int) bool { return i == 11 }},
		{"UNDRAFT", func(i int) bool { return i != 11 }},
		{"KEYWORD $Work", func(i int) bool { return i%4 == 0 }},
		{"UNKEYWORD $work", func(i int) bool { return i%4 != 0 }},
		{"KEYWORD $Nothing", func(i int) bool { return false }},
		// No session sees a message as \Recent (RFC 3501 §2.3.2).
		{"RECENT", func(i int) bool { return false }},
		{"NEW", func(i int) bool { return false }},
		{"OLD", func(i int) bool { return true }},
		{"FROM smith", func(i int) bool { return i%3 == 0 }},
		{`FROM "BOB@EXAMPLE.COM"`, func(i int) bool { return i%3 == 1 }},
		{"TO alice", func(i int) bool { return true }},
		{"CC dave", func(i int) bool { return i%4 == 0 }},
		{"BCC eve", func(i int) bool { return i == 5 }},
		{`SUBJECT "message 1"`, func(i int) bool { return i == 1 || i >= 10 && i <= 19 && i != 13 }},
		{"SUBJECT zurich", func(i int) bool { return i == 13 }},
		{"HEADER X-Priority 1", func(i int) bool { return i%5 == 0 }},
		{`HEADER x-priority ""`, func(i int) bool { return i%5 == 0 }},
		{"HEADER Message-ID <s7@", func(i int) bool { return i == 7 }},
		{"BODY platypus", func(i int) bool { return i%6 == 0 }},
		{"BODY asmith", func(i int) bool { return false }},
		{"TEXT PLATYPUS", func(i int) bool { return i%6 == 0 }},
		{"TEXT asmith", func(i int) bool { return i%3 == 0 }},
		{"BEFORE 5-Jan-2026", func(i int) bool { return i < 5 }},
		{"SINCE 18-Jan-2026", func(i int) bool { return i >= 18 }},
		{`ON "7-jan-2026"`, func(i int) bool { return i == 7 }},
		{"SINCE 3-Jan-2026 BEFORE 6-Jan-2026", func(i int) bool { return i >= 3 && i < 6 }},
		{"SENTBEFORE 3-Feb-2025", func(i int) bool { return i < 3 }},
		{"SENTSINCE 19-Feb-2025", func(i int) bool { return i >= 19 }},
		{"SENTON 10-Feb-2025", func(i int) bool { return i == 10 }},
		{fmt.Sprint("LARGER ", size(10)), func(i int) bool { return size(i) > size(10) }},
		{fmt.Sprint("SMALLER ", size(3)), func(i int) bool { return size(i) < size(3) }},
		{fmt.Sprint("LARGER ", size(4), " SMALLER ", size(8)), func(i int) bool { return i > 4 && i < 8 }},
		{"SMALLER 0", func(i int) bool { return false }},
		{"2:4", func(i int) bool { return i >= 2 && i <= 4 }},
		{"18:*", func(i int) bool { return i >= 18 }},
		{"*", func(i int) bool { return i == 20 }},
		{"1,5:6,30", func(i int) bool { return i == 1 || i == 5 || i == 6 }},
		{"UID 3:5", func(i int) bool { return i <= 3 }},
		{"UID 21:*", func(i int) bool { return i >= 19 }},
		{"NOT SEEN", func(i int) bool { return i%2 != 0 }},
		{"NOT NOT SEEN", func(i int) bool { return i%2 == 0 }},
		{"OR SEEN FLAGGED", func(i int) bool { return i%2 == 0 || i%3 == 0 }},
		{"OR (SEEN FLAGGED) DRAFT", func(i int) bool { return i%6 == 0 || i == 11 }},
		{"NOT (OR SEEN FLAGGED)", func(i int) bool { return i%2 != 0 && i%3 != 0 }},
		{"OR OR SEEN FLAGGED ANSWERED", func(i int) bool { return i%2 == 0 || i%3 == 0 || i%5 == 0 }},
		{"(SEEN) (FLAGGED)", func(i int) bool { return i%6 == 0 }},
		{"seen FlAgGeD", func(i int) bool { return i%6 == 0 }},
		{"((OR seen (NOT 1:19)) unflagged)", func(i int) bool { return (i%2 == 0 || i == 20) && i%3 != 0 }},
		{"FROM bob SINCE 10-Jan-2026 NOT FLAGGED", func(i int) bool { return i%3 == 1 && i >= 10 }},
		{"CHARSET UTF-8 TEXT platypus", func(i int) bool { return i%6 == 0 }},
		{"CHARSET us-ascii SEEN", func(i int) bool { return i%2 == 0 }},
	}
	for n, tc := range cases {
		for _, uid := range []bool{false, true} {
			cmd := "SEARCH"
			if uid {
				cmd = "UID SEARCH"
			}
			tag := fmt.Sprintf("T%d", n)
			r.send(tag + " " + cmd + " " + tc.query)
			got := r.untilTagged(tag + " OK")
			want := searchLine(uid, tc.pred)
			if len(got) != 1 || got[0] != want {
				t.Errorf("%s %s:\n got %q\nwant %q", cmd, tc.query, got, want)
			}
		}
	}
}

// TestSearchLiteralUTF8 searches with a literal in UTF-8 (RFC 3501 §6.4.4:
// CHARSET names the strings' charset) for an RFC 2047 encoded subject.
func TestSearchLiteralUTF8(t *testing.T) {
	f := newSearchFixture(t)
	r := f.selected()
	word := "GRÜẞE"
	r.write(fmt.Sprintf("U1 SEARCH CHARSET UTF-8 SUBJECT {%d+}\r\n%s\r\n", len(word), word))
	if got := r.untilTagged("U1 OK"); !slices.Equal(got, []string{"* SEARCH 13"}) {
		t.Errorf("got %q", got)
	}
}

// TestSearchErrors covers the tagged errors: unknown charset (RFC 3501
// §6.4.4: NO [BADCHARSET]), syntax (BAD), and nesting past the limit
// (RFC 5530 §3: NO [LIMIT]), after which the session goes on.
func TestSearchErrors(t *testing.T) {
	f := newSearchFixture(t)
	r := f.selected()
	r.send("E1 SEARCH CHARSET KOI8-R SEEN")
	r.expect("E1 NO [BADCHARSET (UTF-8 US-ASCII)]")
	r.send("E2 SEARCH FROBNICATE")
	r.expect("E2 BAD")
	r.send("E3 SEARCH")
	r.expect("E3 BAD")
	r.send("E4 SEARCH SINCE 31-Feb-2026")
	r.expect("E4 BAD")
	r.send("E5 SEARCH (SEEN")
	r.expect("E5 BAD")
	r.send("E6 SEARCH " + strings.Repeat("NOT ", 300) + "SEEN")
	r.expect("E6 NO [LIMIT]")
	r.send("E7 SEARCH " + strings.Repeat("(", 300) + "SEEN" + strings.Repeat(")", 300))
	r.expect("E7 NO [LIMIT]")
	r.send("E8 SEARCH SUBJECT {5}")
	r.expect("+ ")
	r.send("hello UNKNOWNKEY")
	r.expect("E8 BAD")
	r.send("E9 SEARCH RETURN (BOGUS) ALL")
	r.expect("E9 BAD")
	r.send("E10 SEARCH DRAFT")
	if got := r.untilTagged("E10 OK"); !slices.Equal(got, []string{"* SEARCH 11"}) {
		t.Errorf("after the errors: %q", got)
	}
	r.send("E11 LOGOUT")
	r.untilTagged("E11 OK")
}

// TestESearch checks the ESEARCH responses of RFC 4731 §3.1 (and RFC 9051
// §6.4.4.1): MIN, MAX, COUNT, ALL as a compact set, UID, an empty result.
func TestESearch(t *testing.T) {
	f := newSearchFixture(t)
	r := f.selected()
	for _, tc := range []struct{ cmd, want string }{
		{`SEARCH RETURN (MIN MAX COUNT) FLAGGED`, `* ESEARCH (TAG "X") MIN 3 MAX 18 COUNT 6`},
		{`UID SEARCH RETURN (ALL) FLAGGED`, `* ESEARCH (TAG "X") UID ALL 5,8,11,14,17,20`},
		{`SEARCH RETURN () 1:5 UNSEEN`, `* ESEARCH (TAG "X") ALL 1,3,5`},
		{`SEARCH RETURN (ALL) UNDELETED`, `* ESEARCH (TAG "X") ALL 1:6,8:20`},
		{`UID SEARCH RETURN (COUNT ALL) 2:6 UNDRAFT`, `* ESEARCH (TAG "X") UID COUNT 5 ALL 4:8`},
		{`SEARCH RETURN (MIN MAX COUNT ALL) RECENT`, `* ESEARCH (TAG "X") COUNT 0`},
		{`SEARCH RETURN (min max) CHARSET UTF-8 DRAFT`, `* ESEARCH (TAG "X") MIN 11 MAX 11`},
	} {
		r.send("X " + tc.cmd)
		if got := r.untilTagged("X OK"); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s:\n got %q\nwant %q", tc.cmd, got, tc.want)
		}
	}
}

// TestSearchRes checks SAVE and "$" (RFC 5182 §2): SAVE alone sends no
// ESEARCH, "$" is the empty set before any SAVE, MIN or MAX alone save
// only those, a NO empties the saved result, and FETCH takes "$".
func TestSearchRes(t *testing.T) {
	f := newSearchFixture(t)
	r := f.selected()
	step := func(cmd string, want ...string) {
		t.Helper()
		r.send("R " + cmd)
		if got := r.untilTagged("R OK"); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s:\n got %q\nwant %q", cmd, got, want)
		}
	}
	step("SEARCH $", "* SEARCH")
	step("SEARCH RETURN (SAVE) FLAGGED")
	step("SEARCH $", "* SEARCH 3 6 9 12 15 18")
	step("UID SEARCH $ SEEN", "* SEARCH 8 14 20")
	step("SEARCH OR $ DRAFT", "* SEARCH 3 6 9 11 12 15 18")
	step("UID SEARCH UID $", "* SEARCH 5 8 11 14 17 20")
	step("SEARCH RETURN (SAVE MIN) SEEN", `* ESEARCH (TAG "R") MIN 2`)
	step("SEARCH $", "* SEARCH 2")
	step("UID SEARCH RETURN (SAVE MIN MAX) SEEN", `* ESEARCH (TAG "R") UID MIN 4 MAX 22`)
	step("SEARCH $", "* SEARCH 2 20")
	step("UID SEARCH RETURN (SAVE COUNT) ANSWERED", `* ESEARCH (TAG "R") UID COUNT 4`)
	step("SEARCH $", "* SEARCH 5 10 15 20")
	if _, ok := commands["UID FETCH"]; ok {
		r.send("F UID FETCH $ (FLAGS)")
		got := r.untilTagged("F OK")
		if len(got) != 4 || !strings.HasPrefix(got[0], "* 5 FETCH (") || !strings.Contains(got[0], `\Answered`) {
			t.Errorf("UID FETCH $: %q", got)
		}
	}
	// A SEARCH with SAVE that fails with NO empties the result; a BAD
	// leaves it (RFC 5182 §2.1).
	r.send("B SEARCH RETURN (SAVE) NOSUCHKEY")
	r.expect("B BAD")
	step("SEARCH $", "* SEARCH 5 10 15 20")
	r.send("N SEARCH RETURN (SAVE) CHARSET KOI8-R SEEN")
	r.expect("N NO [BADCHARSET")
	step("SEARCH $", "* SEARCH")
	// A new selection starts with no saved result.
	step("SEARCH RETURN (SAVE) ALL")
	r.send("S2 SELECT INBOX")
	r.untilTagged("S2 OK")
	step("SEARCH $", "* SEARCH")
}

// TestSearchClient parses our SEARCH and ESEARCH output with go-imap's
// client (RFC 4731, RFC 5182).
func TestSearchClient(t *testing.T) {
	f := newSearchFixture(t)
	c := f.e.client()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	crit := &imap.SearchCriteria{Flag: []imap.Flag{imap.FlagFlagged}, NotFlag: []imap.Flag{imap.FlagSeen}}
	data, err := c.Search(crit, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got := data.AllSeqNums(); !slices.Equal(got, []uint32{3, 9, 15}) {
		t.Errorf("Search: %v", got)
	}
	data, err = c.UIDSearch(crit, &imap.SearchOptions{ReturnMin: true, ReturnMax: true, ReturnCount: true, ReturnAll: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if data.Min != 5 || data.Max != 17 || data.Count != 3 || !slices.Equal(data.AllUIDs(), []imap.UID{5, 11, 17}) {
		t.Errorf("UIDSearch with RETURN: %+v", data)
	}
	or := &imap.SearchCriteria{
		Or:     [][2]imap.SearchCriteria{{{Body: []string{"platypus"}}, {Header: []imap.SearchCriteriaHeaderField{{Key: "Cc", Value: "dave"}}}}},
		Since:  time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Before: time.Date(2026, 1, 17, 0, 0, 0, 0, time.UTC),
	}
	// go-imap's client does not send SAVE (beta.8 drops ReturnSave), so
	// "$" is covered by TestSearchRes only.
	data, err = c.Search(or, &imap.SearchOptions{ReturnAll: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got := data.AllSeqNums(); !slices.Equal(got, []uint32{6, 8, 12, 16}) {
		t.Errorf("Search OR: %v", got)
	}
}

// TestSearchIMAP4rev2 checks that after ENABLE IMAP4rev2 a SEARCH without
// RETURN answers with ESEARCH ALL (RFC 9051 §6.4.4, §7.3.4).
func TestSearchIMAP4rev2(t *testing.T) {
	f := newSearchFixture(t)
	r := f.e.rawLoggedIn()
	r.send("E ENABLE IMAP4rev2")
	r.untilTagged("E OK")
	r.send("S SELECT INBOX")
	r.untilTagged("S OK")
	for _, tc := range []struct{ cmd, want string }{
		{"SEARCH FLAGGED", `* ESEARCH (TAG "X") ALL 3,6,9,12,15,18`},
		{"UID SEARCH 1:3", `* ESEARCH (TAG "X") UID ALL 3:5`},
		{"SEARCH KEYWORD $Nothing", `* ESEARCH (TAG "X")`},
		{"SEARCH RETURN (COUNT) SEEN", `* ESEARCH (TAG "X") COUNT 10`},
	} {
		r.send("X " + tc.cmd)
		if got := r.untilTagged("X OK"); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s:\n got %q\nwant %q", tc.cmd, got, tc.want)
		}
	}
}

// TestCompactSet checks the sequence-set form of ESEARCH ALL (RFC 4731
// §3.1, RFC 3501 sequence-set).
func TestCompactSet(t *testing.T) {
	for _, tc := range []struct {
		in   []uint32
		want string
	}{
		{[]uint32{1}, "1"}, {[]uint32{1, 2, 3}, "1:3"}, {[]uint32{1, 3, 4, 5, 9}, "1,3:5,9"}, {[]uint32{7, 8, 10, 11}, "7:8,10:11"},
	} {
		if got := compactSet(tc.in); got != tc.want {
			t.Errorf("compactSet(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
