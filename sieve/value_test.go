package sieve

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// compileExpanding compiles src with a stand-in for variables: "${size}"
// in any string becomes the message size when the script runs.
func compileExpanding(t *testing.T, src string) *Script {
	t.Helper()
	cmds, err := parse(src, 32)
	if err != nil {
		t.Fatal(err)
	}
	c := newCompiler(Options{}.withDefaults())
	c.expand = func(lit string) func(*run) string {
		if !strings.Contains(lit, "${size}") {
			return nil
		}
		return func(r *run) string {
			return strings.ReplaceAll(lit, "${size}", strconv.FormatInt(r.in.Message.Size(), 10))
		}
	}
	// buildTables resets nothing that expand depends on, so set it first.
	s := c.script(cmds)
	if len(c.errs) > 0 {
		t.Fatal(&CompileError{Errors: c.errs})
	}
	return s
}

// Strings that an extension makes dynamic are computed in each run and
// checked then: the seam variables will use.
func TestDynamicValues(t *testing.T) {
	msg := newTestMessage("X-Size: 42\r\nSubject: s\r\n\r\n")
	size := strconv.FormatInt(msg.Size(), 10)
	tests := []struct{ src, want string }{
		{`require "fileinto"; fileinto "Box-${size}";`, `fileinto "Box-` + size + `"`},
		{`if header :contains "subject" "${size}" { discard; }`, "keep"},
		{`if not header :is "x-size" "${size}" { discard; }`, "discard"},
		{`redirect "u${size}@example.org";`, `redirect "u` + size + `@example.org"`},
		{`redirect "${size}";`, `error: 1:1: invalid redirect address "` + size + `": mail: missing '@' or angle-addr`},
		{`require "envelope"; if envelope "${size}" "x" { keep; }`, `error: 1:24: envelope part "` + size + `" is not supported`},
	}
	for _, tt := range tests {
		s := compileExpanding(t, tt.src)
		res, err := s.Run(context.Background(), &Input{Message: msg})
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			var lines []string
			for _, a := range res.Actions {
				lines = append(lines, a.String())
			}
			got = strings.Join(lines, "\n")
		}
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.src, got, tt.want)
		}
	}
}
