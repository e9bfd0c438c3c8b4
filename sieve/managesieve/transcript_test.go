package managesieve

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Transcripts replay scripted conversations from testdata against a fresh
// server (see newTestEnv). A transcript is a sequence of lines:
//
//	# text       a comment; blank lines are ignored too
//	@ name       talk on connection name from now on, opening it and
//	             reading its greeting the first time
//	C: line      the client sends line and CRLF; "...N" alone sends N
//	             bytes of "x". A C: line with "{+}" or "{}" is held: the
//	             L: lines after it are its literal (each ends in CRLF),
//	             sent as {n+} or {n}, and the next C: line continues the
//	             command after the literal.
//	L: line      one line of the literal
//	S: line      the server's next line is line; "..." matches any text;
//	             "EOF" means the server closes the connection
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			e := newTestEnv(t)
			replay(t, e, f)
		})
	}
}

func replay(t *testing.T, e *testEnv, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	conns := map[string]*rawConn{}
	var cur *rawConn
	var held string // a C: line waiting for its literal
	var literal strings.Builder
	holding := false
	for i, line := range strings.Split(string(data), "\n") {
		where := path + ":" + strconv.Itoa(i+1)
		if holding && !strings.HasPrefix(line, "L:") {
			n := strconv.Itoa(literal.Len())
			marker := "{+}"
			size := "{" + n + "+}"
			if !strings.Contains(held, marker) {
				marker, size = "{}", "{"+n+"}"
			}
			cur.send(strings.Replace(held, marker, size, 1) + "\r\n" + literal.String())
			holding = false
			literal.Reset()
		}
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "@ "):
			name := strings.TrimPrefix(line, "@ ")
			if conns[name] == nil {
				c := dialRaw(t, e.addr)
				greeting := c.untilOK()
				if last := greeting[len(greeting)-1]; last != `OK "zest ManageSieve ready"` {
					t.Fatalf("%s: greeting ends %q", where, last)
				}
				conns[name] = c
			}
			cur = conns[name]
		case strings.HasPrefix(line, "L:"):
			literal.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "L:"), " ") + "\r\n")
		case strings.HasPrefix(line, "C:"):
			text := strings.TrimPrefix(strings.TrimPrefix(line, "C:"), " ")
			if strings.Contains(text, "{+}") || strings.Contains(text, "{}") {
				held, holding = text, true
				continue
			}
			if n, ok := strings.CutPrefix(text, "..."); ok {
				size, _ := strconv.Atoi(n)
				text = strings.Repeat("x", size)
			}
			cur.send(text + "\r\n")
		case strings.HasPrefix(line, "S:"):
			want := strings.TrimPrefix(strings.TrimPrefix(line, "S:"), " ")
			if want == "EOF" {
				cur.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
				if l, err := cur.br.ReadString('\n'); !errors.Is(err, io.EOF) {
					t.Fatalf("%s: want the connection closed, got %q, %v", where, l, err)
				}
				continue
			}
			got := cur.line()
			if !matchLine(want, got) {
				t.Fatalf("%s: server said\n\t%q\nwant\n\t%q", where, got, want)
			}
		default:
			t.Fatalf("%s: bad transcript line %q", where, line)
		}
	}
}

func matchLine(pattern, line string) bool {
	parts := strings.Split(pattern, "...")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(line)
}
