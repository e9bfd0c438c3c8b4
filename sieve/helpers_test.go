package sieve

import (
	"context"
	"strings"
	"testing"
)

// testMessage is a raw RFC 5322 message; Header returns folded raw values
// as a real store would.
type testMessage struct {
	raw    string
	fields [][2]string // name, raw value
}

func newTestMessage(raw string) *testMessage {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	m := &testMessage{raw: raw}
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	for _, line := range strings.SplitAfter(head, "\r\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(m.fields) > 0 {
			m.fields[len(m.fields)-1][1] += line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		m.fields = append(m.fields, [2]string{name, value})
	}
	for i := range m.fields {
		m.fields[i][1] = strings.TrimSuffix(m.fields[i][1], "\r\n")
	}
	return m
}

func (m *testMessage) Header(name string) []string {
	var out []string
	for _, f := range m.fields {
		if strings.EqualFold(f[0], name) {
			out = append(out, f[1])
		}
	}
	return out
}

func (m *testMessage) Size() int64           { return int64(len(m.raw)) }
func (m *testMessage) Body() ([]byte, error) { return []byte(m.raw), nil }

// runScript compiles and runs src and returns the normalised actions, one
// per line, or "error: ..." for a run-time error.
func runScript(t testing.TB, src, msg string, env Envelope) string {
	t.Helper()
	s, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	res, err := s.Run(context.Background(), &Input{Message: newTestMessage(msg), Envelope: env})
	if err != nil {
		return "error: " + err.Error()
	}
	lines := make([]string, len(res.Actions))
	for i, a := range res.Actions {
		lines[i] = a.String()
	}
	return strings.Join(lines, "\n")
}
