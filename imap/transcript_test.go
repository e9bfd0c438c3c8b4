package imap

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// A transcript is a scripted conversation kept as a readable fixture in
// testdata: "C:" lines are sent, "S:" lines must come back and "S?:" lines
// may. The untagged responses to one command may come in any order; the
// line starting with the command's tag ends it. In expected lines "..."
// matches any text and {NAME} is replaced by vars["NAME"]. Blank lines and
// lines starting with "#" are comments.
type transcriptStep struct {
	lineNo   int
	send     string
	want     []string // untagged, in any order
	optional []string // untagged that may come
	tagged   string
}

func readTranscript(t *testing.T, path string, vars map[string]string) []transcriptStep {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []transcriptStep
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		for k, v := range vars {
			line = strings.ReplaceAll(line, "{"+k+"}", v)
		}
		kind, text, _ := strings.Cut(line, ": ")
		var cur *transcriptStep
		if len(steps) > 0 {
			cur = &steps[len(steps)-1]
		}
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case kind == "C":
			if cur != nil && cur.tagged == "" {
				t.Fatalf("%s:%d: command before the tagged response of line %d", path, n, cur.lineNo)
			}
			steps = append(steps, transcriptStep{lineNo: n, send: text})
		case cur == nil || cur.tagged != "":
			t.Fatalf("%s:%d: response without a command", path, n)
		case kind == "S" && strings.HasPrefix(text, strings.Fields(cur.send)[0]+" "):
			cur.tagged = text
		case kind == "S":
			cur.want = append(cur.want, text)
		case kind == "S?":
			cur.optional = append(cur.optional, text)
		default:
			t.Fatalf("%s:%d: cannot read %q", path, n, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n := len(steps); n > 0 && steps[n-1].tagged == "" {
		t.Fatalf("%s: the last command has no tagged response", path)
	}
	return steps
}

// replayTranscript runs the transcript at path on r.
func replayTranscript(t *testing.T, r *rawConn, path string, vars map[string]string) {
	t.Helper()
	for _, st := range readTranscript(t, path, vars) {
		r.send(st.send)
		got, tagged := fetchResponses(r, strings.Fields(st.send)[0])
		if !matchLine(st.tagged, tagged) {
			t.Errorf("%s:%d: %s\n got %q\nwant %q", path, st.lineNo, st.send, tagged, st.tagged)
		}
		want := append(append([]string(nil), st.want...), st.optional...)
		used := make([]bool, len(want))
	next:
		for _, l := range got {
			for i, w := range want {
				if !used[i] && matchLine(w, l) {
					used[i] = true
					continue next
				}
			}
			t.Errorf("%s:%d: %s: unexpected response %q", path, st.lineNo, st.send, l)
		}
		for i, w := range st.want {
			if !used[i] {
				t.Errorf("%s:%d: %s: missing a response like %q (got %q)", path, st.lineNo, st.send, w, got)
			}
		}
	}
}

// matchLine matches a line against a pattern in which "..." stands for
// any text.
func matchLine(pattern, line string) bool {
	parts := strings.Split(pattern, "...")
	if len(parts) == 1 {
		return pattern == line
	}
	if !strings.HasPrefix(line, parts[0]) {
		return false
	}
	line = line[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(line, p)
		if i < 0 {
			return false
		}
		line = line[i+len(p):]
	}
	return strings.HasSuffix(line, last)
}

func TestMatchLine(t *testing.T) {
	for _, c := range []struct {
		pattern, line string
		want          bool
	}{
		{"* OK [MONOINCUID] ...", "* OK [MONOINCUID] UIDs only grow", true},
		{"* OK [MONOINCUID] ...", "* OK [MONOINCUID]", false},
		{"* CAPABILITY IMAP4rev1 ... MONOINCUID", "* CAPABILITY IMAP4rev1 IDLE MONOINCUID", true},
		{"* CAPABILITY IMAP4rev1 ... MONOINCUID", "* CAPABILITY IMAP4rev1 IDLE MONOINCUIDX", false},
		{"* CAPABILITY IMAP4rev1 ... IDLE ... MONOINCUID", "* CAPABILITY IMAP4rev1 MONOINCUID IDLE", false},
		{"a...b...c", "ac", false},
		{"a...b...c", "abc", true},
		{"a...b...c", "a-b-c", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	} {
		if got := matchLine(c.pattern, c.line); got != c.want {
			t.Errorf("matchLine(%q, %q) = %v", c.pattern, c.line, got)
		}
	}
}
