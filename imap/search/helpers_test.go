package search

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
	"zest/storage/mimeinfo"
)

// testMsg is a message of the test mailbox: raw bytes written here,
// described by mimeinfo.Parse as delivery would.
type testMsg struct {
	raw    []byte
	info   *mimeinfo.Info
	msg    storage.Message
	recent bool
}

// loads counts calls of a candidate's loaders.
type loads struct{ info, header, body int }

func newMsg(raw string, uid storage.UID, modseq uint64, internal time.Time, flags ...string) *testMsg {
	b := crlf(raw)
	return &testMsg{
		raw:  b,
		info: mimeinfo.Parse(b),
		msg: storage.Message{
			UID:          uid,
			ModSeq:       modseq,
			Flags:        storage.ParseFlags(flags),
			InternalDate: internal,
			Size:         int64(len(b)),
		},
	}
}

// candidate returns tm as the matcher sees it, counting loader calls in n.
func (tm *testMsg) candidate(seq uint32, n *loads) *Candidate {
	return &Candidate{
		SeqNum:  seq,
		Message: &tm.msg,
		Recent:  tm.recent,
		Info: func() (*mimeinfo.Info, error) {
			n.info++
			return tm.info, nil
		},
		Header: func() ([]byte, error) {
			n.header++
			return tm.raw[:tm.info.HeaderLen], nil
		},
		Body: func() ([]byte, error) {
			n.body++
			return tm.raw, nil
		},
	}
}

// crlf turns the line feeds of a Go literal into the CRLF of a stored
// message.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// b64 encodes s in base64 lines of 76 characters, as a mailer would.
func b64(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

// utc is a time in UTC.
func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// day is a SEARCH date argument as go-imap's parser makes it.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// run compiles c and returns the sequence numbers of the matches in box.
func run(t *testing.T, box []*testMsg, c *imap.SearchCriteria, opts Options) []uint32 {
	t.Helper()
	m, err := Compile(c, opts)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	var out []uint32
	for i, tm := range box {
		var n loads
		ok, err := m.Match(tm.candidate(uint32(i+1), &n))
		if err != nil {
			t.Fatalf("Match %d: %v", i+1, err)
		}
		if n.info > 1 || n.header > 1 || n.body > 1 {
			t.Errorf("message %d: loaders called more than once: %+v", i+1, n)
		}
		need := m.Needs()
		if n.info > 0 && !need.Info || n.header > 0 && !need.Header || n.body > 0 && !need.Body {
			t.Errorf("message %d: loaded %+v beyond Needs %+v", i+1, n, need)
		}
		if ok {
			out = append(out, uint32(i+1))
		}
	}
	return out
}

// opts is the Options for a mailbox, in UTC.
func opts(box []*testMsg) Options {
	o := Options{Location: time.UTC, MaxSeqNum: uint32(len(box))}
	if len(box) > 0 {
		o.MaxUID = imap.UID(box[len(box)-1].msg.UID)
	}
	return o
}

var errLoad = errors.New("load failed")
