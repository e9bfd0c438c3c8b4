package main

import (
	"testing"
	"time"

	"zest/smtp"
)

// The web status page sees the SMTP journal's entries and counts as they
// are.
func TestDeliveryLogAdapter(t *testing.T) {
	j := smtp.NewJournal(5, nil)
	now := time.Now()
	j.Record(smtp.JournalEntry{Time: now, From: "a@example.net", To: "b@example.org", Delivered: true, Reply: "250 2.0.0 ok"})
	j.Record(smtp.JournalEntry{Time: now, From: "a@example.net", To: "c@example.org", Reply: "550 5.1.1 no such user"})
	d := deliveryLog{j}
	got := d.Recent(10)
	if len(got) != 2 || got[0].To != "c@example.org" || got[0].Delivered || got[0].Reply != "550 5.1.1 no such user" ||
		got[1].From != "a@example.net" || !got[1].Delivered || !got[1].Time.Equal(now) {
		t.Errorf("recent: %+v", got)
	}
	if ok, bad := d.Today(now); ok != 1 || bad != 1 {
		t.Errorf("today: %d, %d", ok, bad)
	}
}
