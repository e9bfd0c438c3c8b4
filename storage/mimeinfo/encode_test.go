package mimeinfo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"testing"
)

// checkBounds verifies what Decode promises about a record it accepted:
// every offset inside the message and every part inside its parent, so that
// slicing the blob cannot panic.
func checkBounds(in *Info) error {
	if in.Envelope == nil || in.Body == nil {
		return errors.New("nil envelope or body")
	}
	if in.Size < 0 || in.HeaderLen < 0 || int64(in.HeaderLen) > in.Size {
		return fmt.Errorf("size %d, header %d", in.Size, in.HeaderLen)
	}
	var walk func(p *Part, lo, hi int64, depth int) error
	walk = func(p *Part, lo, hi int64, depth int) error {
		if p == nil || depth > MaxDepth {
			return fmt.Errorf("nil part or depth %d", depth)
		}
		if !(lo <= p.HeaderStart && p.HeaderStart <= p.BodyStart && p.BodyStart <= p.End && p.End <= hi) {
			return fmt.Errorf("part [%d %d %d] outside [%d %d]", p.HeaderStart, p.BodyStart, p.End, lo, hi)
		}
		c := p.BodyStart
		for _, k := range p.Children {
			if err := walk(k, c, p.End, depth+1); err != nil {
				return err
			}
			c = k.End
		}
		if p.MessageBody != nil {
			if p.Message == nil {
				return errors.New("message body without envelope")
			}
			return walk(p.MessageBody, p.BodyStart, p.End, depth+1)
		}
		return nil
	}
	return walk(in.Body, 0, in.Size, 0)
}

func sampleRecords(t testing.TB) [][]byte {
	var recs [][]byte
	for _, tt := range structureTests {
		recs = append(recs, Parse([]byte(tt.msg)).AppendBinary(nil))
	}
	recs = append(recs, Parse([]byte(benchMessage)).AppendBinary(nil))
	return recs
}

func TestDecodeTruncatedAndCorrupted(t *testing.T) {
	for _, rec := range sampleRecords(t) {
		for n := 0; n < len(rec); n++ {
			if _, err := Decode(rec[:n]); err == nil {
				t.Fatalf("Decode of %d of %d bytes succeeded", n, len(rec))
			}
		}
		if _, err := Decode(append(bytes.Clone(rec), 0)); err == nil {
			t.Fatalf("Decode with a trailing byte succeeded")
		}
		// Flip every byte every way: no panic, and whatever is accepted
		// must be safe to slice with.
		for i := range rec {
			for _, x := range []byte{0x01, 0x80, 0xff, 0x7f} {
				bad := bytes.Clone(rec)
				bad[i] ^= x
				in, err := Decode(bad)
				if err != nil {
					if !errors.Is(err, ErrCorrupt) {
						t.Fatalf("error %v is not ErrCorrupt", err)
					}
					continue
				}
				if err := checkBounds(in); err != nil {
					t.Fatalf("byte %d ^ %#x accepted with %v", i, x, err)
				}
			}
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Parse([]byte(crlf(mixedAlternative))).AppendBinary(nil)
	for name, rec := range map[string][]byte{
		"empty":           {},
		"version 0":       {0},
		"future version":  append([]byte{Version + 1}, good[1:]...),
		"header too long": {Version, 1, 2, 0},
		"bad date flag":   {Version, 0, 0, 2},
	} {
		if _, err := Decode(rec); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

// TestDecodeLyingCounts makes sure a record that claims billions of parts
// is refused before anything that size is allocated.
func TestDecodeLyingCounts(t *testing.T) {
	for i := 0; i < 6; i++ {
		rec := []byte{Version, 10, 0, 0}
		for j := 0; j < 6; j++ {
			n := uint64(0)
			if j == i {
				n = 1 << 40
			}
			rec = binary.AppendUvarint(rec, n)
		}
		rec = append(rec, make([]byte, 64)...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := Decode(rec); !errors.Is(err, ErrCorrupt) {
			t.Errorf("count %d: err %v", i, err)
		}
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 1<<16 {
			t.Errorf("count %d: Decode allocated %d bytes", i, d)
		}
	}
}

func TestEncodingIsCompactAndStable(t *testing.T) {
	in := Parse([]byte(benchMessage))
	a := in.AppendBinary(nil)
	b := in.AppendBinary([]byte("prefix"))
	if !bytes.Equal(a, b[len("prefix"):]) {
		t.Fatal("AppendBinary depends on dst")
	}
	out, err := Decode(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.AppendBinary(nil), a) {
		t.Fatal("re-encoding a decoded record differs")
	}
	if len(a) > 400 {
		t.Errorf("record of the benchmark message is %d bytes", len(a))
	}
	t.Logf("record: %d bytes for a %d-byte message", len(a), len(benchMessage))
}

func TestDictionaryHasNoDuplicates(t *testing.T) {
	if len(dictIndex) != len(dict) {
		t.Fatalf("dictionary has %d entries but %d distinct", len(dict), len(dictIndex))
	}
}

func TestDecodeSharesNothingMutable(t *testing.T) {
	rec := Parse([]byte(crlf(mixedAlternative))).AppendBinary(nil)
	in, err := Decode(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := envelope(in.Envelope)
	for i := range rec {
		rec[i] = 0
	}
	if got := envelope(in.Envelope); got != want {
		t.Errorf("decoded strings changed with the record: %s", got)
	}
	// Appending to one decoded slice must not overwrite its neighbour in
	// the shared block.
	p := in.Body.Children[0]
	before := reflect.ValueOf(in.Body.Children[1].Params).Index(0).Interface()
	_ = append(p.Params, Param{"x", "y"})
	if after := reflect.ValueOf(in.Body.Children[1].Params).Index(0).Interface(); after != before {
		t.Errorf("append overwrote the next parameter list")
	}
}
