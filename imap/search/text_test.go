package search

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"zest/storage/mimeinfo"
)

func TestFold(t *testing.T) {
	tests := []struct {
		hay, needle string
		want        bool
	}{
		{"Hello World", "hello world", true},
		{"grüße", "GRÜẞE", true},   // ẞ and ß are one orbit
		{"grüße", "GRÜSSE", false}, // full folding (ß → ss) is not done
		{"GRÜSSE", "grüsse", true},
		{"Köln", "KÖLN", true},
		{"ΣΊΣΥΦΟΣ", "σίσυφος", true}, // final sigma folds with sigma
		{"ς", "Σ", true},
		{"\u212a", "k", true},           // Kelvin sign
		{"ſ", "S", true},                // long s
		{"İstanbul", "istanbul", false}, // U+0130 has no simple folding to i
		{"café", "CAFE", false},
		{"e\u0301", "é", false}, // no normalisation
		{"\xff\xfeab", "\xff\xfeAB", true},
		{"x\xc3", "X\xc3", true}, // truncated rune kept as bytes
		{"ǅ", "ǆ", true},         // titlecase digraph
	}
	for _, tt := range tests {
		got, _ := containsFold(nil, []byte(tt.hay), foldString(tt.needle))
		if got != tt.want {
			t.Errorf("containsFold(%q, %q) = %v, want %v", tt.hay, tt.needle, got, tt.want)
		}
	}
}

func TestBase64Reader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"aGVsbG8gd29ybGQ=", "hello world"},
		{"aGVs\r\nbG8g\r\n d29y bGQ=\r\n", "hello world"},
		{"aGVsbG8", "hello"},                // no padding
		{"aGVsbG8=IHdvcmxk", "hello world"}, // two encodings run together
		{"aGV*sbG8!", "hello"},              // junk skipped
		{"", ""},
		{"=", ""},
		{"a", ""},
	}
	for _, tt := range tests {
		got, err := io.ReadAll(&base64Reader{src: []byte(tt.in)})
		if err != nil || string(got) != tt.want {
			t.Errorf("base64 %q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		// One byte at a time must give the same.
		got, err = io.ReadAll(iotest.OneByteReader(&base64Reader{src: []byte(tt.in)}))
		if err != nil || string(got) != tt.want {
			t.Errorf("base64 %q bytewise = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestQPReader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"caf=C3=A9", "café"},
		{"caf=c3=a9", "café"}, // lower-case hex
		{"soft=\r\nbreak", "softbreak"},
		{"soft=  \r\nbreak", "softbreak"}, // blanks after the soft break
		{"soft=\nbreak", "softbreak"},
		{"trailing   \r\nnext", "trailing\r\nnext"},
		{"inner  blanks kept", "inner  blanks kept"},
		{"end blanks  ", "end blanks"},
		{"a=ZZb", "a=ZZb"}, // not hex: kept
		{"a=", "a"},
		{"1+1=2", "1+1=2"},
		{"=3D", "="},
	}
	for _, tt := range tests {
		got, err := io.ReadAll(&qpReader{src: []byte(tt.in)})
		if err != nil || string(got) != tt.want {
			t.Errorf("qp %q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		got, err = io.ReadAll(iotest.OneByteReader(&qpReader{src: []byte(tt.in)}))
		if err != nil || string(got) != tt.want {
			t.Errorf("qp %q bytewise = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDecodeWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=", "Grüße aus Köln"},
		{"=?ISO-8859-1?Q?Andr=E9?= <a@b>", "André <a@b>"},
		{"=?iso-8859-1?q?a_b?= =?iso-8859-1?q?_c?=", "a b c"}, // blanks between words go
		{"x =?utf-8?q?y?= z", "x y z"},                        // blanks next to text stay
		{"=?utf-8*en?q?lang?=", "lang"},                       // RFC 2231 language
		{"=?windows-1252?q?=80?=", "€"},                       // a charset from x/text
		{"=?x-unknown?q?abc?= ok", "=?x-unknown?q?abc?= ok"},  // unknown charset: kept
		{"=?utf-8?x?abc?=", "=?utf-8?x?abc?="},                // unknown encoding: kept
		{"=?utf-8?q?unterminated", "=?utf-8?q?unterminated"},  // no end: kept
		{"=?utf-8?B?w6k?=", "é"},                              // missing padding
		{"plain text", "plain text"},
		{"=?=?utf-8?q?x?=", "=?x"},
	}
	for _, tt := range tests {
		if got := string(decodeWords([]byte(tt.in))); got != tt.want {
			t.Errorf("decodeWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFields(t *testing.T) {
	raw := crlf("A: 1\nB : two\n  folded\nno colon line\n\tstray\nc:3\n\nBody: no\n")
	var got []string
	for name, value := range fields(raw) {
		got = append(got, string(name)+"="+string(appendUnfolded(nil, value)))
	}
	want := []string{"A=1", "B=two  folded", "c=3"}
	if !slices.Equal(got, want) {
		t.Errorf("fields = %q, want %q", got, want)
	}
	// A header without a blank line, and a bare-LF header.
	for _, raw := range []string{"A: 1\r\nB: 2", "A: 1\nB: 2\n\nC: 3"} {
		got = got[:0]
		for name := range fields([]byte(raw)) {
			got = append(got, string(name))
		}
		if !slices.Equal(got, []string{"A", "B"}) {
			t.Errorf("fields(%q) = %q", raw, got)
		}
	}
}

// TestScannerBoundaries writes text in pieces that cut needles and UTF-8
// sequences in two, and checks every cut.
func TestScannerBoundaries(t *testing.T) {
	text := []byte(strings.Repeat("filler ", 10000) + "Grüße aus Köln" + strings.Repeat(" more", 10000))
	needles := [][]byte{foldString("GRÜẞE AUS KÖLN"), foldString("absent")}
	for _, piece := range []int{1, 2, 3, 7, 1000, chunkSize - 1, chunkSize, len(text)} {
		s := newScanner(needles, make([]bool, 2))
		for p := text; len(p) > 0; {
			n := min(piece, len(p))
			s.write(p[:n])
			p = p[n:]
		}
		s.flush()
		if !s.found[0] || s.found[1] {
			t.Errorf("pieces of %d: found %v, want [true false]", piece, s.found)
		}
	}
	// A needle does not match across units.
	s := newScanner([][]byte{foldString("ab")}, make([]bool, 1))
	s.write([]byte("a"))
	s.flush()
	s.write([]byte("b"))
	s.flush()
	if s.found[0] {
		t.Error("match across a flush")
	}
}

// TestBodyLimits checks that a non-text part is searched neither decoded
// nor raw, and that a description that does not fit the blob is harmless.
func TestBodyLimits(t *testing.T) {
	big := strings.Repeat("QUJD", 1<<20) // 4 MiB of base64 "ABC"
	raw := crlf("Content-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/plain\n\nhello\n--z\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n" + big + "\n--z--\n")
	info := mimeinfo.Parse(raw)
	s := newScanner([][]byte{foldString("abcabc"), foldString("hello"), foldString("QUJDQUJD")}, make([]bool, 3))
	writeBody(s, raw, info.Body)
	if !slices.Equal(s.found, []bool{false, true, false}) {
		t.Errorf("found %v, want [false true false]: the attachment was searched", s.found)
	}

	// Offsets past the end of a truncated blob.
	short := raw[:40]
	s = newScanner([][]byte{foldString("hello")}, make([]bool, 1))
	writeBody(s, short, info.Body)
	if s.found[0] {
		t.Error("found text beyond a truncated blob")
	}
}

// TestLargeTextPart checks that a text part far larger than a chunk is
// searched to its end, and that an early find stops the scan.
func TestLargeTextPart(t *testing.T) {
	body := strings.Repeat("lorem ipsum dolor ", 200000) + "NEEDLE at the end\n"
	raw := crlf("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n" + body)
	info := mimeinfo.Parse(raw)
	s := newScanner([][]byte{foldString("needle at the end")}, make([]bool, 1))
	writeBody(s, raw, info.Body)
	if !s.found[0] {
		t.Error("needle at the end of a large part not found")
	}
	if !bytes.Contains(raw, []byte("NEEDLE")) {
		t.Fatal("bad fixture")
	}
}
