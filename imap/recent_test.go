package imap

import (
	"slices"
	"testing"
	"time"
)

// RFC 3501 §2.3.2, §6.3.1, §6.3.2, §7.3.2: a message is \Recent in exactly
// one session, the first to be told about it; EXAMINE shows \Recent without
// taking it; RECENT is reported with EXISTS when it changes; IMAP4rev2
// sessions (RFC 9051) neither see nor take it.
func TestRecent(t *testing.T) {
	e := newTestEnv(t)
	e.deliverFresh("", message(1), message(2))
	status := e.rawLoggedIn()
	// STATUS learns of arrivals from the event stream, a moment later.
	var got []string
	for range 100 {
		status.send("T STATUS INBOX (RECENT MESSAGES)")
		if got = status.untilTagged("T OK"); slices.Equal(got, []string{"* STATUS INBOX (RECENT 2 MESSAGES 2)"}) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !slices.Equal(got, []string{"* STATUS INBOX (RECENT 2 MESSAGES 2)"}) {
		t.Errorf("STATUS before anyone selected: %q", got)
	}

	examine := e.rawLoggedIn()
	examine.send("E EXAMINE INBOX")
	if got := examine.untilTagged("E OK"); !slices.Contains(got, "* 2 RECENT") {
		t.Errorf("EXAMINE before anyone selected: %q", got)
	}
	rev2 := e.rawLoggedIn()
	rev2.send("R ENABLE IMAP4rev2")
	rev2.untilTagged("R OK")
	rev2.send("R2 SELECT INBOX")
	for _, l := range rev2.untilTagged("R2 OK") {
		if len(l) > 2 && l[len(l)-6:] == "RECENT" {
			t.Errorf("IMAP4rev2 session told %q", l)
		}
	}

	first := e.rawLoggedIn()
	first.send("S SELECT INBOX")
	if got := first.untilTagged("S OK"); !slices.Contains(got, "* 2 RECENT") {
		t.Errorf("first SELECT: %q", got)
	}
	first.send("F FETCH 1:2 FLAGS")
	if got := first.untilTagged("F OK"); !slices.Equal(got, []string{`* 1 FETCH (FLAGS (\Recent))`, `* 2 FETCH (FLAGS (\Recent))`}) {
		t.Errorf("FLAGS in the first session: %q", got)
	}
	second := e.rawLoggedIn()
	second.send("S SELECT INBOX")
	if got := second.untilTagged("S OK"); !slices.Contains(got, "* 0 RECENT") {
		t.Errorf("second SELECT: %q", got)
	}
	second.send("F FETCH 1 FLAGS")
	if got := second.untilTagged("F OK"); !slices.Equal(got, []string{`* 1 FETCH (FLAGS ())`}) {
		t.Errorf("FLAGS in the second session: %q", got)
	}
	status.send("T2 STATUS INBOX (RECENT)")
	if got := status.untilTagged("T2 OK"); !slices.Equal(got, []string{"* STATUS INBOX (RECENT 0)"}) {
		t.Errorf("STATUS after a SELECT took them: %q", got)
	}
	second.send("S2 SEARCH RECENT")
	if got := second.untilTagged("S2 OK"); !slices.Equal(got, []string{"* SEARCH"}) {
		t.Errorf("SEARCH RECENT in the second session: %q", got)
	}

	// New mail goes to whichever session hears of it first.
	e.deliverFresh("", message(3))
	second.send("N NOOP")
	if got := second.untilTagged("N OK"); !slices.Equal(got, []string{"* 3 EXISTS", "* 1 RECENT"}) {
		t.Errorf("second session after new mail: %q", got)
	}
	first.send("N NOOP")
	if got := first.untilTagged("N OK"); !slices.Equal(got, []string{"* 3 EXISTS"}) {
		t.Errorf("first session after new mail: %q", got)
	}
	first.send("X SEARCH RECENT")
	if got := first.untilTagged("X OK"); !slices.Equal(got, []string{"* SEARCH 1 2"}) {
		t.Errorf("SEARCH RECENT in the first session: %q", got)
	}
}
