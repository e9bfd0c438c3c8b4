package sieve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// memSource is an in-memory ScriptSource: "name" is a personal script,
// "global:name" a global one. It counts the reads of each.
type memSource struct {
	scripts map[string]string
	reads   map[string]int
}

func (m *memSource) Script(global bool, name string) ([]byte, error) {
	key := name
	if global {
		key = "global:" + name
	}
	if m.reads == nil {
		m.reads = map[string]int{}
	}
	m.reads[key]++
	src, ok := m.scripts[key]
	if !ok {
		return nil, ErrNoScript
	}
	return []byte(src), nil
}

// runWithIncludes compiles src with the scripts of lib and runs it on the
// variables test message: the actions one per line, "compile error: ..."
// or "error: ...".
func runWithIncludes(t *testing.T, lib map[string]string, src string) string {
	t.Helper()
	s, err := Compile([]byte(src), Options{Includes: &memSource{scripts: lib}})
	if err != nil {
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Fatalf("compile error %T is not a *CompileError", err)
		}
		return "compile error: " + err.Error()
	}
	return runScriptOf(t, s)
}

// include, return and global (RFC 6609); the sections are cited per case.
func TestInclude(t *testing.T) {
	lib := map[string]string{
		"fileinto-a":   `require "fileinto"; fileinto "A";`,
		"global:site":  `require "fileinto"; fileinto "Site";`,
		"site":         `require "fileinto"; fileinto "PersonalSite";`,
		"returns":      `require ["include", "fileinto"]; fileinto "R1"; return; fileinto "R2";`,
		"stops":        `require "fileinto"; fileinto "S1"; stop;`,
		"local":        `require ["variables", "fileinto"]; set "v" "inner"; fileinto "${v}";`,
		"append":       `require ["include", "variables"]; global "acc"; set "acc" "${acc}x";`,
		"append-ns":    `require ["include", "variables"]; set "global.acc" "${global.acc}y";`,
		"self-once":    `require ["include", "fileinto"]; fileinto "Once"; include :once "self-once";`,
		"self":         `require "include"; include "self";`,
		"ping":         `require "include"; include "pong";`,
		"pong":         `require "include"; include "ping";`,
		"broken":       `require "fileinto"; fileinto;`,
		"keeps":        `keep;`,
		"rejects":      `require "reject"; reject "no";`,
		"missing-deep": `require "include"; include "nowhere";`,
		"spam_filter": `require ["variables", "include"]; global ["test", "test_mailbox"];
			if header :contains "Subject" "${test}" { set "test_mailbox" "spam-${test}"; }`,
	}
	tests := []struct{ name, src, want string }{
		{"§3.2 include runs the script at that point",
			`require ["include", "fileinto"]; fileinto "Before"; include "fileinto-a"; fileinto "After";`,
			"fileinto \"Before\"\nfileinto \"A\"\nfileinto \"After\""},
		{"§3.2 :personal is the default, :global the site's",
			`require "include"; include "site"; include :personal "site"; include :global "site";`,
			"fileinto \"PersonalSite\"\nfileinto \"Site\""},
		{"§3.2 the included script's require does not carry over",
			`require "include"; include "fileinto-a"; fileinto "X";`, "compile error"},
		{"§3.1 the included script's actions cancel the implicit keep",
			`require "include"; include "fileinto-a";`, `fileinto "A"`},
		{"§3.1 an explicit keep in an included script", `require "include"; include "keeps"; discard;`,
			"keep\ndiscard"},
		{"§3.2 include inside if", `require "include"; if header :contains "subject" "version" { include "fileinto-a"; }`,
			`fileinto "A"`},
		{"§3.3 return ends the included script only",
			`require ["include", "fileinto"]; include "returns"; fileinto "M";`,
			"fileinto \"R1\"\nfileinto \"M\""},
		{"§3.3 return in the main script is stop",
			`require ["include", "fileinto"]; fileinto "M"; return; fileinto "N";`, `fileinto "M"`},
		{"§3.2 stop in an included script ends everything",
			`require ["include", "fileinto"]; include "stops"; fileinto "M";`, `fileinto "S1"`},
		{"§3.1 missing script fails the run", `require "include"; include "nowhere";`, "error: "},
		{"§3.1 missing script in an include nested deeper", `require "include"; include "missing-deep";`, "error: "},
		{"§3.1 a missing script that never runs is no error",
			`require "include"; if false { include "nowhere"; }`, "keep"},
		{"§3.2 :optional skips a missing script", `require "include"; include :optional "nowhere";`, "keep"},
		{"§3.2 :optional still runs a present script", `require "include"; include :optional "fileinto-a";`,
			`fileinto "A"`},
		{"§3.1 direct recursion is an error", `require "include"; include "self";`, "compile error"},
		{"§3.1 indirect recursion is an error", `require "include"; include "ping";`, "compile error"},
		{"§3.2 :once on a recursive include is no error",
			`require "include"; include "self-once";`, `fileinto "Once"`},
		{"§3.2 an included script must compile", `require "include"; include "broken";`, "compile error"},
		{"§3.2 the name must be constant",
			`require ["include", "variables"]; set "n" "fileinto-a"; include "${n}";`, "compile error"},
		{"§3.2 one location only", `require "include"; include :personal :global "site";`, "compile error"},
		{"§3.2 an invalid script name", "require \"include\"; include \"a\x01\";", "compile error"},
		{"§3.2 include without require", `include "fileinto-a";`, "compile error"},
		{"§3.2 :once after a plain include skips",
			`require ["include", "variables", "fileinto"]; global "acc";
			include "append"; include "append"; include :once "append"; fileinto "r${acc}";`, `fileinto "rxx"`},
		{"§3.2 a plain include after :once runs",
			`require ["include", "variables", "fileinto"]; global "acc";
			include :once "append"; include :once "append"; include "append"; fileinto "r${acc}";`,
			`fileinto "rxx"`},
		{"§3.4 variables are local to each script",
			`require ["include", "variables", "fileinto"]; set "v" "outer"; include "local"; fileinto "${v}";`,
			"fileinto \"inner\"\nfileinto \"outer\""},
		{"§3.4.1 the spam_filter_script example",
			`require ["variables", "include", "fileinto", "relational"];
			global "test"; global "test_mailbox";
			set "test" "$$"; include "spam_filter";
			set "test" "version"; include "spam_filter";
			if string :count "eq" "${test_mailbox}" "1" { fileinto "INBOX.${test_mailbox}"; stop; }`,
			`fileinto "INBOX.spam-version"`},
		{"§3.4.2 global. namespace and global are one variable",
			`require ["variables", "include", "fileinto"]; global "acc";
			include "append"; include "append-ns"; fileinto "${acc}-${global.acc}";`, `fileinto "xy-xy"`},
		{"§3.4.2 global. in the main script", `require ["variables", "include", "fileinto"];
			set "global.i_am_on_vacation" "1"; global "i_am_on_vacation";
			fileinto "v${i_am_on_vacation}";`, `fileinto "v1"`},
		{"§3.4.1 an undeclared name stays local",
			`require ["variables", "include", "fileinto"]; set "acc" "local"; include "append"; fileinto "${acc}";`,
			`fileinto "local"`},
		{"§3.4.1 global after local use", `require ["variables", "include"]; set "x" "1"; global "x";`,
			"compile error"},
		{"§3.4.1 global needs variables", `require "include"; global "x";`, "compile error"},
		{"§3.4.1 global takes identifiers only", `require ["variables", "include"]; global "a.b";`,
			"compile error"},
		{"§3.4.1 global in a block still declares", `require ["variables", "include", "fileinto"];
			if false { global "x"; } set "x" "v"; include "append"; fileinto "${x}";`, `fileinto "v"`},
		{"§3.4.2 no sub-namespace", `require ["variables", "include"]; set "global.a.b" "1";`, "compile error"},
		{"§3.4.2 no numeric name", `require ["variables", "include"]; set "global.12" "1";`, "compile error"},
		{"§3.4.2 the namespace needs include", `require "variables"; set "global.x" "1";`, "compile error"},
		{"actions of all scripts are checked together",
			`require ["include", "fileinto"]; fileinto "Y"; include "rejects";`, "error: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runWithIncludes(t, lib, tt.src)
			if tt.want == "compile error" || tt.want == "error: " {
				if !strings.HasPrefix(got, tt.want) {
					t.Errorf("got %q, want %s", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// Compile reads every included script once and reports them all, missing
// ones too, so that a cache can tell when to compile again.
func TestIncludeLoadsOnceAndReports(t *testing.T) {
	src := &memSource{scripts: map[string]string{
		"a":        `require "include"; include "b"; include :global "g"; include "b";`,
		"b":        `require ["include", "fileinto"]; fileinto "B"; include :optional "absent";`,
		"global:g": `require "include"; include :once "b";`,
	}}
	s, err := Compile([]byte(`require "include"; include "a"; include "a"; include :once "b"; include :optional "x";`),
		Options{Includes: src})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range src.reads {
		if n != 1 {
			t.Errorf("%s read %d times, want once", k, n)
		}
	}
	want := []IncludedScript{{Name: "a", Found: true}, {Name: "b", Found: true}, {Name: "absent"},
		{Global: true, Name: "g", Found: true}, {Name: "x"}}
	if got := s.Includes(); !slices.Equal(got, want) {
		t.Errorf("Includes() = %+v, want %+v", got, want)
	}
	if got := runScriptOf(t, s); got != `fileinto "B"` {
		t.Errorf("run = %q", got)
	}
}

// Without a source every include is of a missing script: it compiles (an
// upload does not depend on the order scripts arrive in) and fails when
// it runs. spec: RFC 6609 §3.1
func TestIncludeWithoutSource(t *testing.T) {
	s, err := Compile([]byte(`require "include"; include :global "x";`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Includes(); len(got) != 1 || got[0].Found || !got[0].Global {
		t.Errorf("Includes() = %+v", got)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0].Msg, "does not exist") {
		t.Errorf("Warnings() = %+v, want one for the missing script", w)
	}
	if _, err := s.Run(context.Background(), &Input{Message: newTestMessage(varsMessage)}); err == nil ||
		!strings.Contains(err.Error(), `global script "x" does not exist`) {
		t.Errorf("run error = %v", err)
	}
}

// The include tree is bounded in depth and size; a source's own failure
// is a compile error. spec: RFC 6609 §3.1
func TestIncludeLimits(t *testing.T) {
	chain := map[string]string{}
	for i := range maxIncludeDepth + 1 {
		chain[fmt.Sprint("s", i)] = fmt.Sprintf(`require "include"; include "s%d";`, i+1)
	}
	chain[fmt.Sprint("s", maxIncludeDepth+1)] = `keep;`
	if got := runWithIncludes(t, chain, `require "include"; include "s1";`); !strings.Contains(got, "nest deeper") {
		t.Errorf("deep chain: %q", got)
	}
	// Ten included scripts in a chain are fine, as in Pigeonhole.
	if got := runWithIncludes(t, chain, fmt.Sprintf(`require "include"; include "s%d";`, 2)); got != "keep" {
		t.Errorf("chain of %d: %q", maxIncludeDepth, got)
	}

	wide := map[string]string{}
	var b strings.Builder
	b.WriteString(`require "include";`)
	for i := range maxIncludes + 1 {
		fmt.Fprintf(&b, ` include :optional "w%d";`, i)
	}
	if got := runWithIncludes(t, wide, b.String()); !strings.Contains(got, "included scripts") {
		t.Errorf("wide tree: %q", got)
	}

	failing := ScriptSourceFunc(func(bool, string) ([]byte, error) { return nil, errors.New("disk on fire") })
	if _, err := Compile([]byte(`require "include"; include :optional "x";`), Options{Includes: failing}); err == nil ||
		!strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("source failure: %v", err)
	}
}

func runScriptOf(t *testing.T, s *Script) string {
	t.Helper()
	return runCompiled(s, &Input{Message: newTestMessage(varsMessage)})
}

// A compiled script with includes and global variables keeps no per-run
// state: concurrent runs each see their own variables and :once record.
func TestIncludeConcurrentRuns(t *testing.T) {
	src := &memSource{scripts: map[string]string{
		"append": `require ["include", "variables"]; global "acc"; set "acc" "${acc}x";`,
	}}
	s, err := Compile([]byte(`require ["include", "variables", "fileinto"]; global "acc";
		include "append"; include :once "append"; include "append"; fileinto "r${acc}";`), Options{Includes: src})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan string, 8)
	for range 8 {
		go func() {
			var got string
			for range 50 {
				if got = runScriptOf(t, s); got != `fileinto "rxx"` {
					break
				}
			}
			errs <- got
		}()
	}
	for range 8 {
		if got := <-errs; got != `fileinto "rxx"` {
			t.Errorf("concurrent run = %q", got)
		}
	}
}
