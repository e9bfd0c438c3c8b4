package imap

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Transcripts replay scripted conversations from testdata/*.txt against a
// fresh server with the account alice@example.org ("alice password"). The
// drafts' own examples live there, so they read as the drafts print them.
//
// A transcript is a sequence of lines:
//
//	# text            a comment; blank lines are ignored too
//	@ name            talk on connection name from now on, opening it
//	                  (and reading its greeting) the first time
//	C: line           the client sends line
//	S: line           the server's next response line is exactly line
//	S~ line           the server's next lines are skipped until one that
//	                  matches line (for responses that are not the point)
//	! deliver         a message arrives in INBOX, as SMTP would bring it
//
// In S lines, "..." matches any text, and $NAME matches a generated value
// (letters, digits, "-" and "_"): the first occurrence captures it, later
// ones in S and C lines stand for the captured value.

// transcriptToken finds the parts of an expected line that are not literal.
var transcriptToken = regexp.MustCompile(`\$[A-Z][A-Z0-9_]*|\.\.\.`)

// transcriptPattern turns an expected line into a regular expression and
// the names of the variables it captures.
func transcriptPattern(want string, vars map[string]string) (*regexp.Regexp, []string) {
	var pat strings.Builder
	var names []string
	pat.WriteString("^")
	last := 0
	for _, m := range transcriptToken.FindAllStringIndex(want, -1) {
		pat.WriteString(regexp.QuoteMeta(want[last:m[0]]))
		tok := want[m[0]:m[1]]
		switch v, known := vars[tok]; {
		case tok == "...":
			pat.WriteString(".*")
		case known:
			pat.WriteString(regexp.QuoteMeta(v))
		case slices.Contains(names, tok):
			pat.WriteString(`[A-Za-z0-9_-]+`) // checked equal after the match
		default:
			pat.WriteString(`([A-Za-z0-9_-]+)`)
			names = append(names, tok)
		}
		last = m[1]
	}
	pat.WriteString(regexp.QuoteMeta(want[last:]))
	pat.WriteString("$")
	return regexp.MustCompile(pat.String()), names
}

// substitute replaces the captured variables in a client line.
func substitute(t *testing.T, line string, vars map[string]string) string {
	t.Helper()
	return regexp.MustCompile(`\$[A-Z][A-Z0-9_]*`).ReplaceAllStringFunc(line, func(name string) string {
		v, ok := vars[name]
		if !ok {
			t.Fatalf("client line %q uses %s before the server sent it", line, name)
		}
		return v
	})
}

// replayTranscript runs one transcript file against e.
func replayTranscript(t *testing.T, e *testEnv, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conns := map[string]*rawConn{}
	var cur *rawConn
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		where := filepath.Base(path) + ":" + strconv.Itoa(n)
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "@ "):
			name := strings.TrimSpace(line[2:])
			if conns[name] == nil {
				conns[name] = e.raw()
			}
			cur = conns[name]
		case line == "! deliver":
			e.deliver("", message(n))
		case strings.HasPrefix(line, "C: "):
			if cur == nil {
				t.Fatalf("%s: no connection yet", where)
			}
			cur.send(substitute(t, line[3:], vars))
		case strings.HasPrefix(line, "S: "), strings.HasPrefix(line, "S~ "):
			if cur == nil {
				t.Fatalf("%s: no connection yet", where)
			}
			re, names := transcriptPattern(line[3:], vars)
			for {
				got := cur.line()
				m := re.FindStringSubmatch(got)
				if m == nil && strings.HasPrefix(line, "S~ ") {
					continue
				}
				if m == nil {
					t.Fatalf("%s: got %q, want %q", where, got, line[3:])
				}
				for i, name := range names {
					vars[name] = m[i+1]
				}
				// A name repeated within the line must repeat its value.
				if re2, _ := transcriptPattern(line[3:], vars); !re2.MatchString(got) {
					t.Fatalf("%s: got %q: a repeated variable differs", where, got)
				}
				break
			}
		default:
			t.Fatalf("%s: cannot read %q", where, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// spec: CI-01, CI-02, CI-03, CI-04, CI-05, CI-06, CI-07, CI-09, CI-10,
// CI-11, CI-12, CI-16, CI-17, CI-18, CI-19, CI-20, CI-21, CI-32, ST-01,
// ST-02, ST-03, ST-04, ST-05, ST-06, ST-07, ST-08, ST-09, ST-10, ST-11,
// ST-12, ST-14, ST-15, ST-19, ST-20, ST-21, ST-23, ST-24, ST-28, ST-29
// (each transcript names the ones it shows).
func TestDraftTranscripts(t *testing.T) {
	var files []string
	for _, glob := range []string{"testdata/clientid-*.txt", "testdata/state-*.txt"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no transcripts found")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			replayTranscript(t, newTestEnv(t), path)
		})
	}
}
