package search

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// benchBox is a mailbox of n ordinary messages of about 2 KB: a
// multipart/alternative with a quoted-printable text part and a base64 HTML
// part, every tenth one seen, one in a hundred with the word looked for.
func benchBox(n int) []*testMsg {
	para := strings.Repeat("Dear colleague, please find the minutes of today's meeting below. ", 12)
	box := make([]*testMsg, n)
	for i := range box {
		word := "ordinary"
		if i%100 == 7 {
			word = "Zanzibar"
		}
		raw := fmt.Sprintf(`From: Sender %d <sender%d@example.com>
To: team@example.org
Subject: Minutes %d
Date: Mon, 1 Jan 2024 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

%s
A r=C3=A9sum=C3=A9 of the %s discussion follows.
--alt
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

%s--alt--
`, i, i, i, para, word, b64("<html><body><p>"+para+"</p></body></html>"))
		var flags []string
		if i%10 == 0 {
			flags = append(flags, `\Seen`)
		}
		box[i] = newMsg(raw, storage.UID(i+1), uint64(i+1), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), flags...)
	}
	return box
}

func benchMatch(b *testing.B, c *imap.SearchCriteria, wantHits int) {
	box := benchBox(10000)
	cands := make([]*Candidate, len(box))
	var n loads
	for i, tm := range box {
		cands[i] = tm.candidate(uint32(i+1), &n)
	}
	m, err := Compile(c, opts(box))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		hits := 0
		for _, c := range cands {
			ok, err := m.Match(c)
			if err != nil {
				b.Fatal(err)
			}
			if ok {
				hits++
			}
		}
		if hits != wantHits {
			b.Fatalf("%d hits, want %d", hits, wantHits)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cands)), "ns/msg")
}

// BenchmarkMatchFlags is UNSEEN over 10k messages: records only.
func BenchmarkMatchFlags(b *testing.B) {
	benchMatch(b, &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, 9000)
}

// BenchmarkMatchBody is BODY over 10k messages: every text part decoded and
// searched.
func BenchmarkMatchBody(b *testing.B) {
	benchMatch(b, &imap.SearchCriteria{Body: []string{"zanzibar"}}, 100)
}

// BenchmarkMatchSubject is SUBJECT over 10k messages: headers only.
func BenchmarkMatchSubject(b *testing.B) {
	benchMatch(b, &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "minutes 99"}}}, 111)
}
