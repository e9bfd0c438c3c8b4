package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
	"zest/storage/mimeinfo"
)

// FuzzScanner checks the streaming search against a search of the whole
// text at once: however the text is cut into writes, the answer is the
// same.
func FuzzScanner(f *testing.F) {
	f.Add("Grüße aus Köln", "KÖLN", uint16(3))
	f.Add(strings.Repeat("ab", 2000)+"needle", "NEEDLE", uint16(1000))
	f.Add("x\xc3\xa9\xff y", "É\xff", uint16(1))
	f.Fuzz(func(t *testing.T, text, needle string, piece uint16) {
		if needle == "" || !utf8.ValidString(needle) {
			return // the server passes UTF-8; "" never reaches the scanner
		}
		nd := foldString(needle)
		want, _ := containsFold(nil, []byte(text), nd)
		s := newScanner([][]byte{nd}, make([]bool, 1))
		step := int(piece%chunkSize) + 1
		for p := []byte(text); len(p) > 0; {
			n := min(step, len(p))
			s.write(p[:n])
			p = p[n:]
		}
		s.flush()
		if s.found[0] != want {
			t.Errorf("pieces of %d: scanner says %v, whole text says %v", step, s.found[0], want)
		}
	})
}

// FuzzMatch runs string keys over arbitrary messages: no panic, no error
// with working loaders, NOT is the opposite, TEXT covers BODY and the
// header keys, and Needs is respected.
func FuzzMatch(f *testing.F) {
	f.Add("Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nhello\r\n", "café")
	f.Add("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n", "hello")
	f.Add("Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ntext", "inner")
	f.Add("Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=F0=D2=C9=D7=C5=D4\r\n", "привет")
	f.Fuzz(func(t *testing.T, raw, needle string) {
		if !utf8.ValidString(needle) {
			return
		}
		tm := &testMsg{raw: []byte(raw), info: mimeinfo.Parse([]byte(raw))}
		tm.msg = storage.Message{UID: 1, ModSeq: 1, Size: int64(len(raw))}
		match := func(c imap.SearchCriteria) bool {
			m, err := Compile(&c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var n loads
			ok, err := m.Match(tm.candidate(1, &n))
			if err != nil {
				t.Fatal(err)
			}
			need := m.Needs()
			if n.info > 1 || n.header > 1 || n.body > 1 ||
				n.info > 0 && !need.Info || n.header > 0 && !need.Header || n.body > 0 && !need.Body {
				t.Fatalf("loads %+v with Needs %+v", n, need)
			}
			return ok
		}
		body := match(imap.SearchCriteria{Body: []string{needle}})
		text := match(imap.SearchCriteria{Text: []string{needle}})
		subject := match(imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: needle}}})
		if body && !text {
			t.Errorf("BODY %q matches, TEXT does not", needle)
		}
		if subject && !text {
			t.Errorf("SUBJECT %q matches, TEXT does not", needle)
		}
		if not := match(imap.SearchCriteria{Not: []imap.SearchCriteria{{Body: []string{needle}}}}); not == body {
			t.Errorf("NOT BODY %q = BODY = %v", needle, body)
		}
	})
}
