package smtp

import (
	"sync"
	"time"
)

// JournalEntry is one recipient's delivery outcome, as the status page
// shows it.
type JournalEntry struct {
	Time      time.Time
	From, To  string
	Delivered bool
	// Reply is the SMTP reply the client got, with its enhanced code; for
	// a refusal it says why.
	Reply string
}

// Journal keeps the most recent delivery outcomes and today's counts in
// memory for the web page's status. It is safe for concurrent use; the
// zero value is not: use NewJournal. A restart forgets it: the log is the
// lasting record.
type Journal struct {
	mu      sync.Mutex
	loc     *time.Location
	ring    []JournalEntry
	next    int // where the next entry goes
	full    bool
	day     string // the day the counts are for, in loc
	ok, bad int
}

// NewJournal returns a journal that keeps the last size outcomes and
// counts days in loc (UTC when nil).
func NewJournal(size int, loc *time.Location) *Journal {
	if loc == nil {
		loc = time.UTC
	}
	return &Journal{loc: loc, ring: make([]JournalEntry, max(size, 1))}
}

// Record adds one outcome.
func (j *Journal) Record(e JournalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring[j.next] = e
	j.next = (j.next + 1) % len(j.ring)
	if j.next == 0 {
		j.full = true
	}
	if day := j.dayOf(e.Time); day != j.day {
		j.day, j.ok, j.bad = day, 0, 0
	}
	if e.Delivered {
		j.ok++
	} else {
		j.bad++
	}
}

// Recent returns up to n outcomes, the newest first.
func (j *Journal) Recent(n int) []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	have := j.next
	if j.full {
		have = len(j.ring)
	}
	n = min(n, have)
	out := make([]JournalEntry, 0, max(n, 0))
	for i := 1; i <= n; i++ {
		out = append(out, j.ring[(j.next-i+len(j.ring))%len(j.ring)])
	}
	return out
}

// Today returns how many deliveries succeeded and how many were refused or
// deferred on now's day.
func (j *Journal) Today(now time.Time) (delivered, rejected int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.dayOf(now) != j.day {
		return 0, 0
	}
	return j.ok, j.bad
}

func (j *Journal) dayOf(t time.Time) string { return t.In(j.loc).Format(time.DateOnly) }
