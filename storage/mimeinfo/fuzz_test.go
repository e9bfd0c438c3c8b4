package mimeinfo

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, raw)
	}
	for _, tt := range structureTests {
		seeds = append(seeds, []byte(tt.msg))
	}
	seeds = append(seeds, []byte(benchMessage), []byte(deepMultipart(120)))
	return seeds
}

// FuzzParse: whatever the input, Parse returns a description that keeps
// every promise (checkInfo: offsets nested and in bounds, structure
// invariants, line counts), and the record round-trips exactly.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := Parse(raw)
		checkInfo(t, raw, in)
	})
}

// FuzzDecode: whatever the input, Decode returns an error or a description
// that is safe to slice a blob of its Size with, and that encodes back to a
// record which decodes to the same thing.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(Parse(s).AppendBinary(nil))
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		in, err := Decode(rec)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if err := checkBounds(in); err != nil {
			t.Fatalf("accepted a record with %v", err)
		}
		again, err := Decode(in.AppendBinary(nil))
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if !reflect.DeepEqual(in, again) {
			t.Fatalf("re-encoded record decodes differently")
		}
	})
}
