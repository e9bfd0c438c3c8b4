package sieve

import (
	"context"
	"strings"
	"testing"
)

// newTestMessage returns the Message delivery would build for raw, with
// its line ends made CRLF.
func newTestMessage(raw string) Message {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	return NewRawMessage([]byte(strings.ReplaceAll(raw, "\n", "\r\n")))
}

// runScript compiles and runs src and returns the normalised actions, one
// per line, or "error: ..." for a run-time error.
func runScript(t testing.TB, src, msg string, env Envelope) string {
	t.Helper()
	s, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return runCompiled(s, &Input{Message: newTestMessage(msg), Envelope: env})
}

// runCompiled runs s on in and returns the normalised actions, one per
// line, or "error: ..." for a run-time error.
func runCompiled(s *Script, in *Input) string {
	res, err := s.Run(context.Background(), in)
	if err != nil {
		return "error: " + err.Error()
	}
	lines := make([]string, len(res.Actions))
	for i, a := range res.Actions {
		lines[i] = a.String()
	}
	return strings.Join(lines, "\n")
}
