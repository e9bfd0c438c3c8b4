package imap

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"zest/storage"
)

// TestQresyncCostFollowsChanges: in a 20,000-message mailbox, after 100
// flag changes and 10 expunges, SELECT (QRESYNC) and UID FETCH (CHANGEDSINCE
// VANISHED) report exactly those, and read no message record of the rest
// of the mailbox: their cost follows the changes, not the mailbox size.
//
// spec: QR-26, QR-45, QR-51, QR-52
func TestQresyncCostFollowsChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 20,000 messages")
	}
	e := newTestEnv(t)
	const size = 20000
	uids := e.importMessages("INBOX", size)
	since := e.mailbox("INBOX").HighestModSeq

	var changed, expunged []storage.UID
	for i := range 100 {
		changed = append(changed, uids[i*199+7])
	}
	for i := range 10 {
		expunged = append(expunged, uids[i*1999+3])
	}
	for chunk := range slices.Chunk(changed, 10) { // ten mod-sequences, not one
		e.setFlags("INBOX", storage.FlagsAdd, `\Flagged`, chunk...)
	}
	e.expungeUIDs("INBOX", expunged...)
	uv := e.mailbox("INBOX").UIDValidity

	r := e.rawLoggedIn()
	r.do("E ENABLE QRESYNC")
	check := func(what string, lines []string, skipHeader bool) {
		t.Helper()
		var fetched []storage.UID
		var vanished string
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "* VANISHED (EARLIER) "):
				if vanished != "" {
					t.Errorf("%s: two VANISHED responses", what)
				}
				vanished = strings.TrimPrefix(l, "* VANISHED (EARLIER) ")
			case strings.Contains(l, " FETCH (UID "):
				var seq, uid uint32
				if _, err := fmt.Sscanf(l, "* %d FETCH (UID %d ", &seq, &uid); err != nil {
					t.Fatalf("%s: %q: %v", what, l, err)
				}
				if !strings.Contains(l, `FLAGS (\Flagged) MODSEQ (`) {
					t.Errorf("%s: %q", what, l)
				}
				fetched = append(fetched, storage.UID(uid))
			case skipHeader:
			default:
				t.Errorf("%s: unexpected %q", what, l)
			}
		}
		if want := uidSetString(expunged); vanished != want {
			t.Errorf("%s: VANISHED (EARLIER) %s, want %s", what, vanished, want)
		}
		if !slices.Equal(fetched, changed) {
			t.Errorf("%s: FETCH for %d messages %v, want the %d changed", what, len(fetched), fetched, len(changed))
		}
	}

	before := e.srv.reads.records.Load()
	start := time.Now()
	lines, tagged := r.do(fmt.Sprintf("S SELECT INBOX (QRESYNC (%d %d))", uv, since))
	took := time.Since(start)
	reads := e.srv.reads.records.Load() - before
	if !strings.HasPrefix(tagged, "S OK") {
		t.Fatalf("SELECT: %s", tagged)
	}
	check("SELECT (QRESYNC)", lines, true)
	if !slices.Contains(lines, "* "+strconv.Itoa(size-len(expunged))+" EXISTS") {
		t.Errorf("SELECT: no EXISTS for %d messages in %q", size-len(expunged), lines[:5])
	}
	// The resync itself comes from the store's change index and
	// tombstones; the view reads records only where a command needs them.
	if reads > 2*int64(len(changed)+len(expunged)) {
		t.Errorf("SELECT (QRESYNC) read %d message records for %d changes", reads, len(changed)+len(expunged))
	}
	t.Logf("SELECT (QRESYNC) of %d messages: %v, %d records read", size, took, reads)

	before = e.srv.reads.records.Load()
	start = time.Now()
	lines, tagged = r.do(fmt.Sprintf("F UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)", since))
	took = time.Since(start)
	reads = e.srv.reads.records.Load() - before
	if !strings.HasPrefix(tagged, "F OK") {
		t.Fatalf("UID FETCH: %s", tagged)
	}
	check("UID FETCH (CHANGEDSINCE VANISHED)", lines, false)
	if reads > 2*int64(len(changed)+len(expunged)) {
		t.Errorf("UID FETCH (CHANGEDSINCE) read %d message records for %d changes", reads, len(changed)+len(expunged))
	}
	t.Logf("UID FETCH (CHANGEDSINCE VANISHED) of %d messages: %v, %d records read", size, took, reads)
}
