package sieve

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// fakeTracker holds the IDs recorded by "earlier deliveries" and counts
// the questions asked.
type fakeTracker struct {
	seen  map[string]bool // handle "\x00" id
	asked int
	err   error
}

func (f *fakeTracker) Seen(_ context.Context, handle, id string) (bool, error) {
	f.asked++
	return f.seen[handle+"\x00"+id], f.err
}

const dupMessage = "Message-ID:\r\n   <abc@example.org>  \r\nSubject: ALERT: disk full\r\nX-Ticket: T1\r\nX-Ticket: T2\r\n\r\nbody\r\n"

func runDuplicate(t *testing.T, src, msg string, tr DuplicateTracker) (string, []DuplicateMark, error) {
	t.Helper()
	s, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	res, err := s.Run(context.Background(), &Input{Message: newTestMessage(msg), Duplicates: tr})
	if err != nil {
		return "", nil, err
	}
	out := ""
	for _, a := range res.Actions {
		out += a.String() + ";"
	}
	return out, res.Duplicates, nil
}

// The ID is the first Message-ID (or :header) field unfolded and trimmed,
// or :uniqueid as given; it is compared case-sensitively and per handle.
// A new ID is recorded after delivery, an old one only with :last.
func TestDuplicate(t *testing.T) {
	week := DuplicateDefaultPeriod
	tests := []struct {
		name, src string
		seen      []string // handle "\x00" id
		want      string
		marks     []DuplicateMark
	}{
		// RFC 7352 §3: a new Message-ID is not a duplicate and is recorded.
		{"new", `require "duplicate"; if duplicate { discard; }`, nil,
			"keep;", []DuplicateMark{{ID: "<abc@example.org>", Period: week}}},
		// RFC 7352 §3.1: unfolded and trimmed; seen before: true, and
		// without :last nothing is recorded again (the expiry stays).
		{"seen", `require "duplicate"; if duplicate { discard; }`, []string{"\x00<abc@example.org>"},
			"discard;", nil},
		// RFC 7352 §3.1: matched case-sensitively.
		{"case", `require "duplicate"; if duplicate { discard; }`, []string{"\x00<ABC@example.org>"},
			"keep;", []DuplicateMark{{ID: "<abc@example.org>", Period: week}}},
		// RFC 7352 §3.2: another handle's entry does not count.
		{"handle", `require "duplicate"; if duplicate :handle "h" { discard; }`, []string{"\x00<abc@example.org>"},
			"keep;", []DuplicateMark{{Handle: "h", ID: "<abc@example.org>", Period: week}}},
		// RFC 7352 §3.1: the first field of :header.
		{"header", `require "duplicate"; if duplicate :header "x-ticket" { discard; }`, []string{"\x00T1"},
			"discard;", nil},
		// RFC 7352 §3.1: :uniqueid, with variables.
		{"uniqueid", `require ["duplicate", "variables"];
			if header :matches "subject" "ALERT: *" { if duplicate :seconds 60 :uniqueid "${1}" { discard; } }`, nil,
			"keep;", []DuplicateMark{{ID: "disk full", Period: time.Minute}}},
		// RFC 7352 §3.3: :last records a seen ID again, restarting its period.
		{"last", `require "duplicate"; if duplicate :last :seconds 10 { discard; }`, []string{"\x00<abc@example.org>"},
			"discard;", []DuplicateMark{{ID: "<abc@example.org>", Period: 10 * time.Second, Last: true}}},
		// RFC 7352 §3.3: above the maximum, the maximum, silently.
		{"cap", `require "duplicate"; if duplicate :seconds 99999999 { discard; }`, nil,
			"keep;", []DuplicateMark{{ID: "<abc@example.org>", Period: DuplicateMaxPeriod}}},
		// RFC 7352 §3.3: :seconds 0 is false unconditionally.
		{"zero", `require "duplicate"; if duplicate :seconds 0 { discard; }`, []string{"\x00<abc@example.org>"},
			"keep;", nil},
		// RFC 7352 §3.1: a missing field or an invalid name: false, nothing recorded.
		{"missing", `require "duplicate"; if duplicate :header "x-none" { discard; }`, nil, "keep;", nil},
		{"invalid", `require "duplicate"; if duplicate :header "a b" { discard; }`, nil, "keep;", nil},
		// RFC 7352 §3: only evaluated tests record.
		{"unevaluated", `require "duplicate"; if allof (false, duplicate) { discard; }`, nil, "keep;", nil},
	}
	for _, tt := range tests {
		tr := &fakeTracker{seen: map[string]bool{}}
		for _, k := range tt.seen {
			tr.seen[k] = true
		}
		got, marks, err := runDuplicate(t, tt.src, dupMessage, tr)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want || !reflect.DeepEqual(marks, tt.marks) {
			t.Errorf("%s: got %s %+v, want %s %+v", tt.name, got, marks, tt.want, tt.marks)
		}
	}
}

// RFC 7352 §3: every test of one run with the same arguments gives the same
// answer, and an ID this run records is not a duplicate within the run.
func TestDuplicateSameAnswerInOneRun(t *testing.T) {
	tr := &fakeTracker{}
	got, marks, err := runDuplicate(t, `require ["duplicate", "fileinto"];
		if duplicate { discard; }
		if duplicate :header "message-id" { discard; }
		if not duplicate { fileinto "new"; }`, dupMessage, tr)
	if err != nil || got != `fileinto "new";` {
		t.Fatalf("got %q, %v", got, err)
	}
	if tr.asked != 1 {
		t.Errorf("the tracker was asked %d times, want once", tr.asked)
	}
	if len(marks) != 3 {
		t.Errorf("marks %+v: want one per evaluated test (the store folds them)", marks)
	}
}

// Without a tracker nothing is a duplicate; without a Message-ID the test
// is false; a failing tracker fails the run, so the message is kept
// (RFC 7352 §3: a wrong "true" must be prevented).
func TestDuplicateEdges(t *testing.T) {
	src := `require "duplicate"; if duplicate { discard; }`
	if got, marks, err := runDuplicate(t, src, dupMessage, nil); err != nil || got != "keep;" || len(marks) != 1 {
		t.Errorf("nil tracker: %q %+v %v", got, marks, err)
	}
	if got, marks, err := runDuplicate(t, src, "Subject: x\r\n\r\nbody\r\n", &fakeTracker{}); err != nil || got != "keep;" || marks != nil {
		t.Errorf("no Message-ID: %q %+v %v", got, marks, err)
	}
	if _, _, err := runDuplicate(t, src, dupMessage, &fakeTracker{err: errors.New("disk on fire")}); err == nil {
		t.Error("a failing tracker did not fail the run")
	}
}

// RFC 7352 §3.1: :header and :uniqueid exclude each other.
func TestDuplicateCompileErrors(t *testing.T) {
	for _, src := range []string{
		`require "duplicate"; if duplicate :header "x" :uniqueid "y" { discard; }`,
		`require "duplicate"; if duplicate :seconds "1" { discard; }`,
		`require "duplicate"; if duplicate "x" { discard; }`,
		`if duplicate { discard; }`,
	} {
		if _, err := Compile([]byte(src), Options{}); err == nil {
			t.Errorf("%s: compiled", src)
		}
	}
}
