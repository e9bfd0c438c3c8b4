package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// Queued outbound mail survives a restart with its envelope and bytes, and
// Dequeue frees the body unless a stored copy still shares it.
func TestOutboundQueue(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(dir, Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	a := mustAccount(t, s, "alice@example.org")
	reply := []byte("From: alice@example.org\r\nTo: bob@example.net\r\nSubject: Auto: hi\r\n\r\naway\r\n")
	redirect := []byte("Subject: hi\r\n\r\nbody\r\n")
	if _, err := s.Deliver(ctx, Incoming{Raw: redirect}, []Target{{Account: a.ID}}); err != nil {
		t.Fatal(err)
	}
	ids, err := s.Enqueue(ctx,
		Outgoing{Account: a.ID, Origin: OriginVacation, From: "", To: []string{"bob@example.net"}, Raw: reply},
		Outgoing{Account: a.ID, Origin: OriginRedirect, From: "bob@example.net", To: []string{"carol@example.com"}, Raw: redirect})
	if err != nil || len(ids) != 2 || ids[0] >= ids[1] {
		t.Fatalf("Enqueue = %v, %v", ids, err)
	}
	if _, err := s.Enqueue(ctx, Outgoing{Account: a.ID, Origin: OriginRedirect, Raw: reply}); !errors.Is(err, ErrEmptyEnvelope) {
		t.Errorf("Enqueue without recipients: %v, want ErrEmptyEnvelope", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{Password: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q, err := s.Queued(ctx, 0)
	if err != nil || len(q) != 2 {
		t.Fatalf("Queued after restart = %v, %v", q, err)
	}
	if q[0].Origin != OriginVacation || q[0].From != "" || !slices.Equal(q[0].To, []string{"bob@example.net"}) || q[0].Size != int64(len(reply)) {
		t.Errorf("first queued = %+v", q[0])
	}
	raw, err := s.QueuedRaw(ctx, q[1].ID)
	if err != nil || string(raw) != string(redirect) {
		t.Fatalf("QueuedRaw = %q, %v", raw, err)
	}
	if refs, _ := s.BlobRefs(ctx, q[1].Blob); refs != 2 {
		t.Errorf("the redirect shares the stored copy's body: %d references, want 2", refs)
	}
	for _, m := range q {
		if err := s.Dequeue(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Dequeue(ctx, q[0].ID); err != nil {
		t.Errorf("Dequeue twice: %v", err)
	}
	if refs, _ := s.BlobRefs(ctx, q[0].Blob); refs != 0 {
		t.Errorf("the reply's body outlives its queue entry: %d references", refs)
	}
	if refs, _ := s.BlobRefs(ctx, q[1].Blob); refs != 1 {
		t.Errorf("the stored copy lost its body: %d references", refs)
	}
	if q, _ := s.Queued(ctx, 0); len(q) != 0 {
		t.Errorf("queue not empty: %v", q)
	}
}

// A script may send at most the hourly cap of mail notifications; the
// count starts again the next hour (NA-47).
//
// spec: NA-47
func TestNotifyAllowed(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s, err := Open(t.TempDir(), Options{Password: cheapKDF, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	b := mustAccount(t, s, "bob@example.org")
	for i := range 3 {
		if ok, err := s.NotifyAllowed(ctx, a.ID, 3); !ok || err != nil {
			t.Fatalf("notification %d refused: %v", i+1, err)
		}
	}
	if ok, _ := s.NotifyAllowed(ctx, a.ID, 3); ok {
		t.Error("a fourth notification within the hour was allowed under a cap of 3")
	}
	if ok, _ := s.NotifyAllowed(ctx, b.ID, 3); !ok {
		t.Error("another account's cap was used up")
	}
	now = now.Add(time.Hour)
	if ok, _ := s.NotifyAllowed(ctx, a.ID, 3); !ok {
		t.Error("the next hour starts a new count")
	}
	if err := s.collectNotifyCounts(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.NotifyAllowed(ctx, a.ID, 2); !ok {
		t.Error("the current hour's count was collected with the past ones")
	}
	if ok, _ := s.NotifyAllowed(ctx, a.ID, 2); ok {
		t.Error("the current hour's count was lost by the cleanup")
	}
}
