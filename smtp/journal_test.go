package smtp

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// The journal keeps the newest entries, newest first, and counts only the
// current day in its zone.
func TestJournal(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*3600)
	j := NewJournal(3, zone)
	if got := j.Recent(10); len(got) != 0 {
		t.Fatalf("empty journal: %v", got)
	}
	// 21:30 UTC is already the next day in UTC+2.
	day1 := time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)
	for i := range 5 {
		j.Record(JournalEntry{Time: day1.Add(time.Duration(i) * time.Minute), To: fmt.Sprint(i), Delivered: i%2 == 0})
	}
	got := j.Recent(10)
	if len(got) != 3 || got[0].To != "4" || got[1].To != "3" || got[2].To != "2" {
		t.Fatalf("recent: %v", got)
	}
	if got := j.Recent(1); len(got) != 1 || got[0].To != "4" {
		t.Fatalf("recent(1): %v", got)
	}
	if ok, bad := j.Today(day1.Add(10 * time.Minute)); ok != 3 || bad != 2 {
		t.Errorf("today: %d delivered, %d rejected; want 3 and 2", ok, bad)
	}
	// Midnight in UTC+2 is 22:00 UTC.
	if ok, bad := j.Today(day1.Add(time.Hour + time.Minute)); ok != 0 || bad != 0 {
		t.Errorf("after midnight in the zone: %d, %d", ok, bad)
	}
	j.Record(JournalEntry{Time: day1.Add(90 * time.Minute), Delivered: false})
	if ok, bad := j.Today(day1.Add(91 * time.Minute)); ok != 0 || bad != 1 {
		t.Errorf("the next day: %d delivered, %d rejected; want 0 and 1", ok, bad)
	}
}

// Concurrent recording and reading is safe (run with -race).
func TestJournalConcurrent(t *testing.T) {
	j := NewJournal(50, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				j.Record(JournalEntry{Time: time.Now(), Delivered: true})
				j.Recent(20)
			}
		})
	}
	wg.Wait()
	if ok, _ := j.Today(time.Now()); ok != 1600 {
		t.Errorf("today: %d, want 1600", ok)
	}
	if n := len(j.Recent(200)); n != 50 {
		t.Errorf("recent: %d entries, want 50", n)
	}
}

// The server records each recipient's outcome in its journal: a delivery,
// and a recipient refused at RCPT with the reason the client was given.
func TestJournalFedByServer(t *testing.T) {
	j := NewJournal(10, nil)
	e := newEnvConfig(t, func(c *Config) { c.Journal = j })
	c := e.smtpClient()
	if _, err := send(t, c, "carol@example.net", []string{"alice@example.org"}, testMessage("hello")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("carol@example.net", nil); err != nil {
		t.Fatal(err)
	}
	smtpErr(t, c.Rcpt("nobody@example.org", nil), 550, "5.1.1")
	got := j.Recent(10)
	if len(got) != 2 {
		t.Fatalf("journal: %+v", got)
	}
	if r := got[0]; r.Delivered || r.To != "nobody@example.org" || r.From != "carol@example.net" || !strings.HasPrefix(r.Reply, "550 5.1.1 ") {
		t.Errorf("refusal: %+v", r)
	}
	if d := got[1]; !d.Delivered || d.To != "alice@example.org" || !strings.HasPrefix(d.Reply, "250 ") {
		t.Errorf("delivery: %+v", d)
	}
	if ok, bad := j.Today(time.Now()); ok != 1 || bad != 1 {
		t.Errorf("today: %d delivered, %d rejected", ok, bad)
	}
}
