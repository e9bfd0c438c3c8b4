package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// fakeStore is an in-process LMTP server that keeps what it accepts and
// rejects the messages whose Message-ID starts with reject (when set).
type fakeStore struct {
	mu     sync.Mutex
	msgs   [][]byte
	reject string
}

type fakeSession struct {
	st    *fakeStore
	rcpts []string
}

func (s *fakeSession) Reset()                               { s.rcpts = nil }
func (s *fakeSession) Logout() error                        { return nil }
func (s *fakeSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *fakeSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *fakeSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparsable: " + err.Error()}
	}
	if s.st.reject != "" && strings.HasPrefix(m.Header.Get("Message-Id"), s.st.reject) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "rejected"}
	}
	s.st.mu.Lock()
	s.st.msgs = append(s.st.msgs, b)
	s.st.mu.Unlock()
	return nil
}

func startFake(t *testing.T, st *fakeStore) string {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &fakeSession{st: st}, nil
	}))
	srv.LMTP = true
	srv.Domain = "fake.local"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

func mustHeader(t *testing.T, msg []byte, name string) string {
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header.Get(name)
}

func TestRunLoad(t *testing.T) {
	st := &fakeStore{}
	addr := startFake(t, st)
	r := runLoad(context.Background(), "fake", addr, 60, 4, 4096, time.Minute)
	if !r.ok() || r.delivered != 60 || len(r.lat) != 60 {
		t.Fatalf("run not ok: %+v", r)
	}
	if r.rate() <= 0 || r.percentile(0.5) <= 0 || r.percentile(0.99) < r.percentile(0.5) {
		t.Fatalf("bad figures: rate %v p50 %v p99 %v", r.rate(), r.percentile(0.5), r.percentile(0.99))
	}
	ids := map[string]bool{}
	for _, m := range st.msgs {
		id := mustHeader(t, m, "Message-Id")
		if ids[id] {
			t.Fatalf("duplicate Message-ID %s", id)
		}
		ids[id] = true
	}
	if len(ids) != 60 {
		t.Fatalf("server stored %d messages, want 60", len(ids))
	}
}

func TestRunLoadCountsFailures(t *testing.T) {
	st := &fakeStore{}
	addr := startFake(t, st)
	st.reject = "<1" // messages 1, 10..19: 11 of 40
	r := runLoad(context.Background(), "fake", addr, 40, 2, 4096, time.Minute)
	if r.ok() || r.failed != 11 || r.delivered != 29 || r.notSent != 0 {
		t.Fatalf("failures not counted: delivered %d failed %d notSent %d", r.delivered, r.failed, r.notSent)
	}
	if r.delivered != len(st.msgs) {
		t.Fatalf("counted %d deliveries, server stored %d", r.delivered, len(st.msgs))
	}
	if len(r.errs) == 0 || !strings.Contains(r.errs[0], "550") {
		t.Fatalf("errors not reported: %v", r.errs)
	}
}
