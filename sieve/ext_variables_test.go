package sieve

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// varsMessage carries the headers of RFC 5229's examples.
const varsMessage = `From: wile@example.org
To: Wile E. Coyote <coyote@desert.example.com>
Subject: [acme-users] [fwd] version 1.0 is out
List-ID: Sieve list <sieve@ietf.org>

body
`

// variables (RFC 5229), its examples first.
func TestVariables(t *testing.T) {
	tests := []struct{ name, spec, src, want string }{
		// RFC 5229 §3.
		{"reference, names case-insensitive", "SV-46", `require ["variables", "fileinto"];
			set "honorific" "Mr"; set "last_name" "Coyote";
			fileinto "Dear ${HONORIFIC} ${last_name}";`, `fileinto "Dear Mr Coyote"`},
		{"RFC 5229 §3 quoting examples", "SV-46", `require ["variables", "fileinto"];
			set "company" "ACME";
			fileinto "${BAD${Company}"; fileinto "${President, ${Company} Inc.}";`,
			"fileinto \"${BADACME\"\nfileinto \"${President, ACME Inc.}\""},
		{"one pass: an expansion is not expanded again", "SV-46", `require ["variables", "fileinto"];
			set "a" "${"; set "b" "}"; set "c" "x";
			fileinto "${a}c${b}";`, `fileinto "${c}"`},
		{"unknown variable is empty", "SV-46", `require ["variables", "fileinto"]; fileinto "a${nothing}b";`,
			`fileinto "ab"`},
		{"invalid references stay literal", "SV-46", `require ["variables", "fileinto"];
			set "a" "1"; fileinto "${a b}${}${1a}$${a}";`, `fileinto "${a b}${}${1a}$1"`},
		{"encoded characters are decoded first", "SV-46", `require ["variables", "encoded-character", "fileinto"];
			set "a" "x"; fileinto "$${hex:7B}a}";`, `fileinto "x"`},
		{"namespace not required", "SV-50", `require ["variables", "fileinto"]; fileinto "${env.x}";`,
			"compile error"},
		{"variables needs require", "SV-02", `set "a" "b";`, "compile error"},

		// RFC 5229 §4 and the §4.1 examples.
		{"modifiers", "SV-47", `require ["variables", "fileinto"];
			set "a" "juMBlEd lETteRS";
			set :length "b" "${a}"; fileinto "${b}";
			set :lower "b" "${a}"; fileinto "${b}";
			set :upperfirst "b" "${a}"; fileinto "${b}";
			set :upperfirst :lower "b" "${a}"; fileinto "${b}";
			set :quotewildcard "b" "Rock*"; fileinto "${b}";`,
			"fileinto \"15\"\nfileinto \"jumbled letters\"\nfileinto \"JuMBlEd lETteRS\"\n" +
				"fileinto \"Jumbled letters\"\nfileinto \"Rock\\\\*\""},
		{"precedence: case before :length, quote before :length", "SV-47", `require ["variables", "fileinto"];
			set :length :quotewildcard "b" "a*?"; fileinto "${b}";
			set :lowerfirst :upper "b" "abc"; fileinto "${b}";
			set :length "b" "é"; fileinto "${b}";`,
			"fileinto \"5\"\nfileinto \"aBC\"\nfileinto \"1\""},
		{":lower and :upper conflict", "SV-47", `require "variables"; set :lower :upper "b" "x";`, "compile error"},
		{":lowerfirst and :upperfirst conflict", "SV-47", `require "variables"; set :lowerfirst :upperfirst "b" "x";`,
			"compile error"},
		{"unknown modifier", "SV-47", `require "variables"; set :bogus "b" "x";`, "compile error"},
		{"invalid name", "SV-47", `require "variables"; set "1a" "x";`, "compile error"},
		{"name made of a reference", "SV-47", `require "variables"; set "${a}" "x";`, "compile error"},
		{"namespaced name", "SV-47, SV-50", `require "variables"; set "env.a" "x";`, "compile error"},

		// RFC 5229 §3.2.
		{"list example", "SV-48", `require ["variables", "fileinto"];
			if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; stop; }`,
			`fileinto "INBOX.lists.sieve"`},
		{"subject example", "SV-48", `require ["variables", "fileinto"];
			if header :matches "Subject" "[*] *" { fileinto "${1}"; fileinto "${2}"; }`,
			"fileinto \"acme-users\"\nfileinto \"[fwd] version 1.0 is out\""},
		{"address example: wildcards as short as possible", "SV-48", `require ["variables", "fileinto"];
			if address :matches ["To", "Cc"] ["coyote@**.com", "wile@**.com"] {
				fileinto "0=${0}"; fileinto "1=${1}"; fileinto "2=${2}";
			}`, "fileinto \"0=coyote@desert.example.com\"\nfileinto \"1=\"\nfileinto \"2=desert.example\""},
		{"? is a wildcard too; indexes past the pattern are empty", "SV-48", `require ["variables", "fileinto"];
			if header :matches "From" "?ile@*" { fileinto "${1}-${2}-${3}-${9}"; }`,
			`fileinto "w-example.org--"`},
		{"a failed match keeps, a new match replaces", "SV-48", `require ["variables", "fileinto"];
			if header :matches "Subject" "[*] *" { }
			if header :matches "Subject" "nope*" { }
			fileinto "${1}";
			if header :matches "From" "*" { }
			fileinto "${0}|${1}|${2}";`,
			"fileinto \"acme-users\"\nfileinto \"wile@example.org|wile@example.org|\""},
		{":is and :contains set nothing", "SV-48", `require ["variables", "fileinto"];
			if header :contains "Subject" "acme" { fileinto "x${0}"; }`, `fileinto "x"`},
		{"index above 9", "SV-48", `require ["variables", "fileinto"]; fileinto "${10}";`, "compile error"},
		{"leading zeros", "SV-48", `require ["variables", "fileinto"];
			if header :matches "From" "*@*" { fileinto "${01}"; }`, `fileinto "wile"`},

		// RFC 5229 §5, and its example.
		{"string example", "SV-49", `require ["variables", "fileinto"];
			set "state" "${state} pending";
			if string :matches " ${state} " "* pending *" { fileinto "always"; }`, `fileinto "always"`},
		{"string compares without trimming", "SV-49", `require ["variables", "fileinto"];
			set "a" " x "; if string :is "${a}" "x" { fileinto "trimmed"; }
			if string :is "${a}" " x " { fileinto "kept"; }`, `fileinto "kept"`},
		{"string count ignores empty strings", "SV-49", `require ["variables", "relational", "comparator-i;ascii-numeric", "fileinto"];
			set "a" "x"; if string :count "eq" :comparator "i;ascii-numeric" ["${a}", "", "${b}", "y"] "2" { fileinto "two"; }`,
			`fileinto "two"`},

		// RFC 5232 §3, §4 with variables.
		{"named flag variables", "SV-51, SV-53", `require ["variables", "imap4flags", "fileinto"];
			setflag "f" "\\Seen x"; addflag "f" "y"; removeflag "f" "x";
			if hasflag "f" "y" { fileinto :flags "${f}" "Box"; }
			if hasflag ["f", "g"] "x" { fileinto "wrong"; }`,
			`fileinto "Box" flags "\\Seen" "y"`},
		{"named flag variables leave the internal one alone", "SV-51", `require ["variables", "imap4flags"];
			addflag "f" "a"; addflag "b";`, `keep flags "b"`},
		{"flag variable needs variables", "SV-51", `require "imap4flags"; addflag "f" "a";`, "compile error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Compile([]byte(tt.src), Options{}); err != nil {
				if tt.want != "compile error" {
					t.Fatalf("%s: %v", tt.spec, err)
				}
				return
			}
			if tt.want == "compile error" {
				t.Fatalf("%s: compiled, want a compile error", tt.spec)
			}
			if got := runScript(t, tt.src, varsMessage, Envelope{}); got != tt.want {
				t.Errorf("%s:\ngot:  %s\nwant: %s", tt.spec, got, tt.want)
			}
		})
	}
}

// spec: SV-50
func TestVariableLimits(t *testing.T) {
	// A value set at run time longer than the limit is cut, not an error,
	// and never splits a UTF-8 character.
	src := `require ["variables", "fileinto"];
		set "a" "` + strings.Repeat("é", 1000) + `";
		set "b" "${a}${a}${a}";
		fileinto "${b}";`
	got := runScript(t, src, varsMessage, Envelope{})
	want := `fileinto "` + strings.Repeat("é", maxVarSize/2) + `"`
	if got != want {
		t.Errorf("long value: got %d bytes, want %d", len(got), len(want))
	}
	// A constant value too long is known when compiling, and refused.
	if _, err := Compile([]byte(`require "variables"; set "a" "`+strings.Repeat("x", maxVarSize+1)+`";`), Options{}); err == nil {
		t.Errorf("constant value of %d bytes compiled", maxVarSize+1)
	}
	if _, err := Compile([]byte(`require "variables"; set "a" "`+strings.Repeat("x", maxVarSize)+`";`), Options{}); err != nil {
		t.Errorf("constant value of %d bytes: %v", maxVarSize, err)
	}
	// Match variables are cut too.
	s, err := Compile([]byte(`require ["variables", "fileinto"];
		if header :matches "subject" "*" { fileinto "${1}"; }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg := newTestMessage("Subject: " + strings.Repeat("x", 10000) + "\r\n\r\n")
	res, err := s.Run(context.Background(), &Input{Message: msg})
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Actions[0].(FileInto); len(f.Mailbox) != maxVarSize {
		t.Errorf("match variable: %d bytes, want %d", len(f.Mailbox), maxVarSize)
	}
	// More names than the limit is a compile error.
	var b strings.Builder
	b.WriteString(`require "variables";`)
	for i := 0; i <= maxVariables; i++ {
		b.WriteString(` set "v` + strings.Repeat("x", i%10) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `" "";`)
	}
	if _, err := Compile([]byte(b.String()), Options{}); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("%d variables: got %v, want a compile error", maxVariables+1, err)
	}
	// The longest name is fine, one more character is not.
	name := "n" + strings.Repeat("a", maxVarNameLen-1)
	if _, err := Compile([]byte(`require "variables"; set "`+name+`" "x";`), Options{}); err != nil {
		t.Errorf("name of %d characters: %v", maxVarNameLen, err)
	}
	if _, err := Compile([]byte(`require "variables"; set "`+name+`a" "x";`), Options{}); err == nil {
		t.Errorf("name of %d characters compiled", maxVarNameLen+1)
	}
}

// An error inside a string points at that string. spec: SV-48, SV-50
func TestVariableErrorPosition(t *testing.T) {
	src := "require [\"variables\", \"fileinto\"];\nif true {\n  fileinto \"a${env.x}\";\n  if header :is \"x\" [\"b\", \"${12}\"] {}\n}"
	_, err := Compile([]byte(src), Options{})
	var ce *CompileError
	if !errors.As(err, &ce) || len(ce.Errors) != 2 {
		t.Fatalf("got %v, want two errors", err)
	}
	if e := ce.Errors[0]; e.Line != 3 || e.Column != 12 {
		t.Errorf("namespace error at %d:%d, want 3:12", e.Line, e.Column)
	}
	if e := ce.Errors[1]; e.Line != 4 || e.Column != 27 {
		t.Errorf("index error at %d:%d, want 4:27", e.Line, e.Column)
	}
}
