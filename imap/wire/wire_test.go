package wire

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"
)

func dec(s string) *Decoder { return NewDecoder(bufio.NewReader(strings.NewReader(s))) }

func TestAStringForms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"INBOX\r\n", "INBOX"},
		{"foo]bar\r\n", "foo]bar"},
		{`"hello world"` + "\r\n", "hello world"},
		{`"a \"quoted\" \\ x"` + "\r\n", `a "quoted" \ x`},
		{"{5}\r\nab\r\nc\r\n", "ab\r\nc"},
		{"{3+}\r\nxyz\r\n", "xyz"},
		{"{0}\r\n\r\n", ""},
		{`"grüße"` + "\r\n", "grüße"},
	} {
		d := dec(tc.in)
		continued := false
		d.Continue = func(int64) error { continued = true; return nil }
		var got string
		if !d.ExpectAString(&got) || !d.ExpectCRLF() {
			t.Errorf("%q: %v", tc.in, d.Err())
			continue
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
		if sync := strings.Contains(tc.in, "}\r\n") && !strings.Contains(tc.in, "+}"); continued != sync {
			t.Errorf("%q: continuation sent = %v, want %v", tc.in, continued, sync)
		}
	}
	for _, bad := range []string{`"unterminated` + "\r\n", `"bad \x escape"`, "(\r\n", "{abc}\r\n", `"line` + "\r\n" + `break"`} {
		d := dec(bad)
		var got string
		if d.ExpectAString(&got) && d.ExpectCRLF() {
			t.Errorf("%q parsed as %q", bad, got)
		}
		var se *SyntaxError
		if !errors.As(d.Err(), &se) && !errors.Is(d.Err(), errUnexpectedEOFForTest) {
			t.Errorf("%q: error %v is not a syntax error", bad, d.Err())
		}
	}
}

var errUnexpectedEOFForTest = errors.New("unexpected EOF")

func TestLiteralLimits(t *testing.T) {
	d := dec("{100}\r\n")
	d.MaxLiteral = 10
	continued := false
	d.Continue = func(int64) error { continued = true; return nil }
	var b []byte
	if d.Literal(&b) {
		t.Fatal("a literal over the limit was read")
	}
	var big *LiteralTooBigError
	if !errors.As(d.Err(), &big) || big.NonSync || continued {
		t.Fatalf("err %v, continued %v: a synchronising literal over the limit must be refused before the continuation", d.Err(), continued)
	}
	if !d.DiscardLine() {
		t.Error("after a refused synchronising literal the session can go on")
	}
	d = dec("{100+}\r\n")
	d.MaxLiteral = 10
	d.Literal(&b)
	if !errors.As(d.Err(), &big) || !big.NonSync {
		t.Fatalf("non-sync over the limit: %v", d.Err())
	}
	if d.DiscardLine() {
		t.Error("after a non-synchronising literal over the limit the session must end")
	}
	// A refused continuation (e.g. APPENDLIMIT) leaves nothing read.
	d = dec("{5}\r\nhello\r\n")
	d.Continue = func(int64) error { return &SyntaxError{Msg: "no"} }
	if d.Literal(&b) {
		t.Error("literal read although the continuation was refused")
	}
	d = dec("{3}\r\na\x00b")
	if d.Literal(&b) {
		t.Error("NUL in a plain literal accepted")
	}
	d = dec("~{3}\r\na\x00b")
	var binary bool
	if !d.Literal8(&b, &binary) || !binary || string(b) != "a\x00b" {
		t.Errorf("literal8: %q %v %v", b, binary, d.Err())
	}
}

func TestDiscardLineSkipsNonSyncLiterals(t *testing.T) {
	d := dec("garbage {4+}\r\nxxxx more {2+}\r\nyy\r\nA1 NOOP\r\n")
	var s string
	d.ExpectNumber(new(uint32))
	if !d.DiscardLine() {
		t.Fatal(d.Err())
	}
	if !d.ExpectAtom(&s) || s != "A1" {
		t.Errorf("after discard: %q %v", s, d.Err())
	}
	d = dec("bad {4}\r\nA2 NOOP\r\n") // no continuation was sent: the client did not send the literal
	d.ExpectNumber(new(uint32))
	d.DiscardLine()
	if !d.ExpectAtom(&s) || s != "A2" {
		t.Errorf("after discard of a sync literal line: %q %v", s, d.Err())
	}
}

func TestNumSet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		uid  bool
		want string
	}{
		{"1", false, "1"}, {"1:5,7", false, "1:5,7"}, {"5:*", true, "5:*"}, {"*:5", true, "5:*"},
		{"*", false, "*"}, {"9:3", false, "3:9"}, {"4294967295", true, "4294967295"},
	} {
		d := dec(tc.in + " ")
		set, saved, ok := d.ExpectNumSet(tc.uid)
		if !ok || saved || set.String() != tc.want {
			t.Errorf("%s: %v %v %v", tc.in, set, ok, d.Err())
		}
	}
	if _, saved, ok := dec("$ ").ExpectNumSet(false); !ok || !saved {
		t.Error("$ is the saved search result")
	}
	for _, bad := range []string{"0", "1:0", "01", "4294967296", ",", "1,", ":3"} {
		if _, _, ok := dec(bad + " ").ExpectNumSet(false); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	set, _, _ := dec("2:4,10 ").ExpectNumSet(false)
	if s := set.(imap.SeqSet); !s.Contains(3) || s.Contains(5) || !s.Contains(10) {
		t.Errorf("Contains on %v", s)
	}
}

func TestDates(t *testing.T) {
	var tm time.Time
	if !dec("1-Feb-2024 ").ExpectDate(&tm) || !tm.Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date: %v", tm)
	}
	if !dec(`"28-feb-2023"`).ExpectDate(&tm) || tm.Month() != 2 {
		t.Errorf("quoted date: %v", tm)
	}
	for _, bad := range []string{"31-Feb-2024", "1-Foo-2024", "1-Feb-24", "x"} {
		if dec(bad + " ").ExpectDate(&tm) {
			t.Errorf("%q accepted", bad)
		}
	}
	if !dec(`" 7-Jul-2025 13:04:05 +0200"`).ExpectDateTime(&tm) || tm.Hour() != 13 || tm.Day() != 7 {
		t.Errorf("date-time: %v", tm)
	}
	_, off := tm.Zone()
	if off != 7200 {
		t.Errorf("zone offset %d", off)
	}
}

func TestMailboxNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"inbox", "INBOX"}, {"InBoX", "INBOX"}, {"~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語"},
		{"&-", "&"}, {`"Sent Items"`, "Sent Items"}, {"&AOk-t&AOk-", "été"},
	} {
		var got string
		if !dec(tc.in+" ").ExpectMailbox(&got) || got != tc.want {
			t.Errorf("%s: %q %v", tc.in, got, dec(tc.in).Err())
		}
		if enc := EncodeMUTF7(tc.want); tc.want != "INBOX" && !strings.EqualFold(enc, strings.Trim(tc.in, `"`)) {
			t.Errorf("EncodeMUTF7(%q) = %q, want %q", tc.want, enc, tc.in)
		}
	}
	var got string
	for _, bad := range []string{"&", "&U,BTFw", "&AGE-", "&2D0-", "caf\xc3", `"caf\xe9"`} {
		var got string
		if d := dec(bad + " "); d.ExpectMailbox(&got) && d.ExpectSP() {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
	if d := dec(`"grüße" `); !d.ExpectMailbox(&got) || got != "grüße" {
		t.Errorf("a UTF-8 name from an IMAP4rev2 client before ENABLE: %q %v", got, d.Err())
	}
	d := dec("grüße ")
	d.UTF8 = true
	if d.ExpectMailbox(&got) && d.ExpectSP() {
		// An atom cannot hold 8-bit bytes; UTF-8 names arrive quoted.
		t.Errorf("8-bit atom accepted: %q", got)
	}
	d = dec(`"grüße" `)
	d.UTF8 = true
	if !d.ExpectMailbox(&got) || got != "grüße" {
		t.Errorf("UTF-8 mailbox: %q %v", got, d.Err())
	}
}

func TestList(t *testing.T) {
	var items []string
	d := dec(`(\Seen $Label "x y") `)
	ok := d.ExpectList(func() bool {
		var s string
		if d.Special('\\') {
			ok := d.ExpectAtom(&s)
			items = append(items, `\`+s)
			return ok
		}
		ok := d.ExpectAString(&s)
		items = append(items, s)
		return ok
	})
	if !ok || strings.Join(items, ",") != `\Seen,$Label,x y` {
		t.Errorf("list: %v %v", items, d.Err())
	}
	if !dec("() ").ExpectList(func() bool { return false }) {
		t.Error("empty list")
	}
	if dec("(a ").ExpectList(func() bool { var s string; return dec("").Atom(&s) }) {
		t.Error("unterminated list accepted")
	}
}

func TestEncoder(t *testing.T) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	e := NewEncoder(w)
	e.Raw("* ").String("plain").SP().String(`q"uo\te`).SP().String("two\r\nlines").SP().AString("INBOX").SP().
		AString("NIL").SP().AString("").SP().Mailbox("台北").SP().NString("", false).SP().Number(42).SP().
		Number64(1<<40).SP().List(2, func(i int) { e.Atom([]string{`\Seen`, `\Draft`}[i]) }).SP().
		DateTime(time.Date(2024, 3, 5, 6, 7, 8, 0, time.FixedZone("", -5*3600))).CRLF()
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "* \"plain\" \"q\\\"uo\\\\te\" {10}\r\ntwo\r\nlines INBOX \"NIL\" \"\" &U,BTFw- NIL 42 1099511627776 (\\Seen \\Draft) \"05-Mar-2024 06:07:08 -0500\"\r\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
	buf.Reset()
	e.UTF8 = true
	e.String("grüße").SP().Mailbox("台北").SP().String("caf\xe9").Flush()
	if buf.String() != "\"grüße\" \"台北\" {4}\r\ncaf\xe9" {
		t.Errorf("UTF8 on: %q", buf.String())
	}
}

// FuzzStringRoundTrip: whatever string the encoder writes, the decoder
// reads back the same.
func FuzzStringRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", `"`, `\`, "a\r\nb", "NIL", "grüße", "\x00", strings.Repeat("x", 2000)} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, utf bool) {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		e := NewEncoder(w)
		e.UTF8 = utf
		e.AString(s).CRLF().Flush()
		d := NewDecoder(bufio.NewReader(&buf))
		d.MaxLiteral = 1 << 30
		var got string
		ok := d.ExpectAString(&got) && d.ExpectCRLF()
		if strings.ContainsRune(s, 0) {
			return // NUL needs literal8, which strings do not use
		}
		if !utf8.ValidString(s) && e.canQuote(s) {
			return
		}
		if !ok || got != s {
			t.Fatalf("%q came back as %q (%v); wire %q", s, got, d.Err(), buf.String())
		}
	})
}

// FuzzDecoder plays arbitrary bytes through every token reader, line after
// line, as the server's command loop would: it must never panic, never
// read past a refused literal, and always make progress or stop.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{"A1 NOOP\r\n", "a SELECT {5}\r\nINBOX\r\n", "x (1 2 \"3\") ~{2}\r\n\x00\x01\r\n", "1:*,$ 12-Jan-2020\r\n", "{999999999999+}\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewDecoder(bufio.NewReader(bytes.NewReader(in)))
		d.MaxLiteral = 1 << 16
		d.MaxLine = 1 << 12
		d.Continue = func(int64) error { return nil }
		for range 64 {
			var s string
			var n uint32
			var n64 uint64
			var b []byte
			var tm time.Time
			var bin bool
			switch {
			case d.Atom(&s), d.Number(&n), d.Number64(&n64), d.AString(&s), d.Literal8(&b, &bin), d.NIL():
			case d.List(func() bool { return d.AString(&s) || d.Number(&n) }):
			case d.ExpectDate(&tm):
			}
			d.NumSet(false)
			d.ExpectMailbox(&s)
			if d.CRLF() {
				continue
			}
			if d.Err() == nil {
				d.Failf("stray input")
			}
			if !d.DiscardLine() {
				return
			}
		}
	})
}

func FuzzMUTF7(f *testing.F) {
	for _, s := range []string{"INBOX", "台北", "&", "a&b", "😀 x", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if dec, err := DecodeMUTF7(s); err == nil && !utf8.ValidString(dec) {
			t.Fatalf("DecodeMUTF7(%q) gave invalid UTF-8", s)
		}
		if !utf8.ValidString(s) {
			return
		}
		enc := EncodeMUTF7(s)
		got, err := DecodeMUTF7(enc)
		if err != nil || got != s {
			t.Fatalf("%q -> %q -> %q, %v", s, enc, got, err)
		}
	})
}
