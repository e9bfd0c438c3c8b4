package sieve

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		spec, src, want string
	}{
		{"SV-01", "keep", `1:5: expected ";" after command "keep", found end of script`},
		{"SV-02", `require "fileinto"; keep; require "envelope";`, `1:27: "require" must come before every other command`},
		{"SV-02", `require ["fileinto", "x-unknown"];`, `1:22: unsupported capability "x-unknown"`},
		{"SV-02", `fileinto "a";`, `1:1: unknown command "fileinto" (missing require "fileinto"?)`},
		{"SV-02", `if envelope "from" "a" { }`, `1:4: unknown test "envelope" (missing require "envelope"?)`},
		{"SV-02", `redirect :copy "a@example.org";`, `1:10: unknown tag ":copy" for "redirect" (missing require "copy"?)`},
		{"SV-02", `keep :flags "\\Seen";`, `1:6: unknown tag ":flags" for "keep" (missing require "imap4flags"?)`},
		{"SV-02", `keep :frob;`, `1:6: unknown tag ":frob" for "keep"`},
		{"SV-02", `frobnicate;`, `1:1: unknown command "frobnicate"`},
		{"SV-03", `elsif true { }`, `1:1: "elsif" without a preceding "if"`},
		{"SV-03", `if true { } keep; else { }`, `1:19: "else" without a preceding "if"`},
		{"SV-03", `if true { } else { } else { }`, `1:22: "else" without a preceding "if"`},
		{"SV-03", `if true;`, `1:1: "if" needs a block`},
		{"SV-03", `if (true, false) { }`, `1:1: "if" needs exactly one test (use allof or anyof to combine tests)`},
		{"SV-03", `keep { }`, `1:1: "keep" takes no block`},
		{"SV-04", `if allof true { }`, `1:4: "allof" needs a test list in brackets, as in allof (true, false)`},
		{"SV-04", `if not (true) { }`, `1:4: "not" needs exactly one test, not a test list`},
		{"SV-04", `redirect;`, `1:1: "redirect" needs 1 positional argument(s), found 0`},
		{"SV-04", `redirect ["a@b.example"];`, `1:10: "redirect" expects a string here, found string list`},
		{"SV-04", `keep "x";`, `1:6: "keep" takes no positional arguments`},
		{"SV-04", `if header "a" "b" "c" { }`, `1:19: "header" takes at most 2 positional argument(s)`},
		{"SV-04", `if header "a" :is "b" { }`, `1:15: tag ":is" must come before the other arguments of "header"`},
		{"SV-05", `if header :is :contains "a" "b" { }`, `1:15: only one match type allowed, ":is" and ":contains" given`},
		{"SV-05", `if address :all :domain "from" "b" { }`, `1:17: only one address part allowed, ":all" and ":domain" given`},
		{"SV-05", `if header :comparator "i;octet" :comparator "i;octet" "a" "b" { }`,
			`1:33: tag ":comparator" given twice`},
		{"SV-05", `if header :comparator "a" "b" { }`, `1:4: "header" needs 2 positional argument(s), found 1`},
		{"SV-06", `if header :comparator "i;ascii-numeric" "a" "1" { }`,
			`1:23: comparator "i;ascii-numeric" needs require "comparator-i;ascii-numeric"`},
		{"SV-06", `if header :comparator "i;frob" "a" "1" { }`, `1:23: unknown comparator "i;frob"`},
		{"SV-06", `require "comparator-i;ascii-numeric"; if header :contains :comparator "i;ascii-numeric" "a" "1" { }`,
			`1:42: comparator "i;ascii-numeric" cannot be used with :contains or :matches`},
		{"SV-10", `if address "subject" "a" { }`, `1:12: header "subject" is not an address header, the address test cannot use it`},
		{"SV-11", `require "envelope"; if envelope "auth" "a" { }`,
			`1:33: envelope part "auth" is not supported, only "from" and "to"`},
		{"SV-12", `if size 100 { }`, `1:4: "size" needs :over or :under`},
		{"SV-12", `if size :over :under 100 { }`, `1:15: only one size limit allowed, ":over" and ":under" given`},
		{"SV-12", `if size :over "100" { }`, `1:15: "size" expects a number here, found string`},
		{"SV-18", `redirect "not an address";`, `1:10: invalid redirect address "not an address": mail: no angle-addr`},
		{"SV-05", `if header :comparator ["i;octet"] "a" "b" { }`, `1:11: tag ":comparator" needs a string after it`},
		{"SV-21", `require ["encoded-character", "fileinto"]; fileinto "${unicode:110000}";`,
			`1:53: encoded character ${unicode:110000} names an invalid code point`},
	}
	for _, tt := range tests {
		_, err := Compile([]byte(tt.src), Options{})
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %q: error %v, want a *CompileError", tt.spec, tt.src, err)
			continue
		}
		if !slices.ContainsFunc(ce.Errors, func(e Error) bool { return e.Error() == tt.want }) {
			t.Errorf("%s: %q:\n got %v\nwant %s", tt.spec, tt.src, err, tt.want)
		}
	}
}

// spec: SV-02, SV-28
func TestCompileOptions(t *testing.T) {
	_, err := Compile([]byte(`require "fileinto";`), Options{Extensions: []string{"envelope"}})
	if err == nil || err.Error() != `1:9: unsupported capability "fileinto"` {
		t.Errorf("fileinto not permitted: %v", err)
	}
	if _, err := Compile([]byte(`require "envelope";`), Options{Extensions: []string{"envelope"}}); err != nil {
		t.Errorf("envelope permitted: %v", err)
	}
	_, err = Compile([]byte("keep;"+strings.Repeat(" ", 100)), Options{MaxScriptSize: 50})
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 50") {
		t.Errorf("size limit: %v", err)
	}
	// Several errors are reported together.
	_, err = Compile([]byte("frob;\nkeep 1;\n"), Options{})
	var ce *CompileError
	if !errors.As(err, &ce) || len(ce.Errors) != 2 ||
		err.Error() != `1:1: unknown command "frob"; 2:6: "keep" takes no positional arguments` {
		t.Errorf("two errors: %v", err)
	}
}

func TestCompileErrorLimit(t *testing.T) {
	_, err := Compile([]byte(strings.Repeat("frob;\n", 1000)), Options{})
	var ce *CompileError
	if !errors.As(err, &ce) || len(ce.Errors) != maxErrors+1 ||
		ce.Errors[maxErrors].Error() != "51:1: too many errors, stopping" {
		t.Errorf("1000 errors: %d reported", len(ce.Errors))
	}
}

func TestCapabilities(t *testing.T) {
	caps := Capabilities()
	for _, want := range []string{"fileinto", "envelope", "encoded-character", "comparator-i;ascii-numeric",
		"copy", "reject", "ereject", "imap4flags"} {
		if !slices.Contains(caps, want) {
			t.Errorf("Capabilities() = %v, missing %s", caps, want)
		}
	}
	for _, c := range caps {
		if _, err := Compile([]byte(`require "`+c+`";`), Options{}); err != nil {
			t.Errorf("require %q: %v", c, err)
		}
	}
}

// spec: SV-21
func TestEncodedCharacter(t *testing.T) {
	// The examples of RFC 5228 §2.4.2.4.
	tests := []struct{ in, want string }{
		{"$${hex:24 24}", "$$$"},
		{"${hex: 40}", "@"},
		{"${HEX: 40}", "@"},
		{"${hex:40", "${hex:40"},
		{"${hex:400}", "${hex:400}"},
		{"${hex:4${hex:30}}", "${hex:40}"},
		{"${unicode:40}", "@"},
		{"${ unicode:40}", "${ unicode:40}"},
		{"${UNICODE:40}", "@"},
		{"${UnICoDE:0000040}", "@"},
		{"${Unicode:40}", "@"},
		{"${Unicode:Cool}", "${Unicode:Cool}"},
		{"${unicode:263a 263A}", "☺☺"},
		{"${hex:}", "${hex:}"},
	}
	for _, tt := range tests {
		got, err := decodeEncodedCharacters(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%q: %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"${unicode:200000}", "${Unicode:DF01}"} {
		if _, err := decodeEncodedCharacters(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// spec: SV-08
func TestWarnings(t *testing.T) {
	s, err := Compile([]byte(`if anyof(header :is "bad name" "x", exists ["ok", "a:b"]) { keep; }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := s.Warnings()
	if len(w) != 2 || w[0].Error() != `1:21: "bad name" is not a valid header name, it matches nothing` ||
		w[1].Error() != `1:51: "a:b" is not a valid header name, it matches nothing` {
		t.Errorf("warnings %v", w)
	}
}
