package web

import (
	"encoding/json"
	"reflect"
	"testing"

	"zest/sieve"
)

// The editor shows each problem at its line and column, errors and
// warnings apart, and a good script as OK.
// spec: SV-08
func TestCheckScript(t *testing.T) {
	for _, c := range []struct {
		name     string
		src      string
		opts     sieve.Options
		ok       bool
		errors   []CheckError
		warnings []CheckError
	}{
		{name: "empty", src: "", ok: true},
		{name: "good", src: "require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n\tfileinto \"X\";\n}\n", ok: true},
		{name: "two errors", src: "frob;\nkeep 1;\n", errors: []CheckError{
			{1, 1, `unknown command "frob"`},
			{2, 6, `"keep" takes no positional arguments`},
		}},
		{name: "missing require", src: "\n\n  fileinto \"a\";\n", errors: []CheckError{
			{3, 3, `unknown command "fileinto" (missing require "fileinto"?)`},
		}},
		{name: "unterminated string", src: "keep;\nif header :is \"subject\" \"abc\n", errors: []CheckError{{2, 25, ""}}},
		{name: "warnings", src: `if anyof(header :is "bad name" "x", exists ["ok", "a:b"]) { keep; }`, ok: true, warnings: []CheckError{
			{1, 21, `"bad name" is not a valid header name, it matches nothing`},
			{1, 51, `"a:b" is not a valid header name, it matches nothing`},
		}},
		{name: "extension not offered", src: `require "fileinto";`, opts: sieve.Options{Extensions: []string{"vacation"}},
			errors: []CheckError{{1, 9, ""}}},
		{name: "too large", src: "keep;\n# " + string(make([]byte, 100)), opts: sieve.Options{MaxScriptSize: 50},
			errors: []CheckError{{1, 1, ""}}},
	} {
		got := CheckScript([]byte(c.src), c.opts)
		if got.OK != c.ok || got.Errors == nil || got.Warnings == nil {
			t.Errorf("%s: %+v, want ok=%v and non-nil lists", c.name, got, c.ok)
			continue
		}
		if c.warnings == nil {
			c.warnings = []CheckError{}
		}
		if !reflect.DeepEqual(got.Warnings, c.warnings) {
			t.Errorf("%s: warnings %+v, want %+v", c.name, got.Warnings, c.warnings)
		}
		if len(got.Errors) != len(c.errors) {
			t.Errorf("%s: errors %+v, want %+v", c.name, got.Errors, c.errors)
			continue
		}
		for i, e := range c.errors {
			g := got.Errors[i]
			// An empty message in the table: only the place is checked.
			if g.Line != e.Line || g.Column != e.Column || g.Message == "" || (e.Message != "" && g.Message != e.Message) {
				t.Errorf("%s: error %d = %+v, want %+v", c.name, i, g, e)
			}
		}
	}
}

// The page's script reads lower-case fields and lists, never null.
func TestCheckResultJSON(t *testing.T) {
	b, err := json.Marshal(CheckScript([]byte("keep;\nfrob;\n"), sieve.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ok":false,"errors":[{"line":2,"column":1,"message":"unknown command \"frob\""}],"warnings":[]}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
	b, _ = json.Marshal(CheckScript([]byte("keep;\n"), sieve.Options{}))
	if want := `{"ok":true,"errors":[],"warnings":[]}`; string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
}

func FuzzCheckScript(f *testing.F) {
	f.Add([]byte("require \"vacation\";\nvacation text:\nx\n.\n;\n"))
	f.Add([]byte("if header :is \"a b\" \"x\" { keep; }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		r := CheckScript(src, sieve.Options{})
		if r.OK != (len(r.Errors) == 0) {
			t.Fatalf("%q: ok=%v with errors %v", src, r.OK, r.Errors)
		}
		for _, e := range append(r.Errors, r.Warnings...) {
			if e.Line < 1 || e.Column < 1 || e.Message == "" {
				t.Fatalf("%q: unplaced problem %+v", src, e)
			}
		}
	})
}
