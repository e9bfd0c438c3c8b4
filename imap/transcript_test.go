package imap

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"zest/storage"
)

// Transcripts replay scripted conversations from testdata against a fresh
// server with the account alice@example.org ("alice password"). The drafts'
// and RFCs' own examples live there, so they read as the documents print
// them. A transcript is a sequence of lines:
//
//	# text            a comment; blank lines are ignored too
//	@ name            talk on connection name from now on, opening it (and
//	                  reading its greeting) the first time; without any @
//	                  line, one connection is opened and logged in before
//	                  the first C: line
//	C: line           the client sends line
//	S: line           the server's next line is line: "..." matches any
//	                  text, and $NAME (capitals) a generated value
//	                  (letters, digits, "-" and "_"), captured the first
//	                  time and standing for that value later, in S and C lines
//	S~ regexp         the server's next line matches regexp (the whole line)
//	S* line           lines are skipped until one matching line as in S:
//	! action args     a change made through the store, as another session or
//	                  an agent would make it (list in transcript.action)
//
// C:, S: and S~ lines may name values the store chose, read when the line
// is processed: ${UIDVALIDITY}, ${UIDNEXT}, ${HIGHESTMODSEQ} (of the current
// mailbox), ${MODSEQ:<uid>} (a message's mod-sequence) and ${NAME} (a value
// kept by "! save NAME"), each optionally followed by +n or -n.
//
// At the end every connection logs out, so a response the transcript does
// not expect fails it.
type transcript struct {
	t     *testing.T
	e     *testEnv
	where string // file:line, for messages
	conns map[string]*rawConn
	order []string
	cur   *rawConn
	// loggedOut marks connections the transcript itself logged out.
	loggedOut map[*rawConn]bool
	vars      map[string]string // captured $NAME values
	mailbox   string            // of ! actions and ${...} values
	saved     map[string]uint64
}

func replayTranscript(t *testing.T, e *testEnv, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := &transcript{t: t, e: e, conns: map[string]*rawConn{}, loggedOut: map[*rawConn]bool{}, vars: map[string]string{}, mailbox: "INBOX", saved: map[string]uint64{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		tr.where = filepath.Base(path) + ":" + strconv.Itoa(n)
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "@ "):
			tr.use(strings.TrimSpace(line[2:]), false)
		case strings.HasPrefix(line, "! "):
			tr.action(strings.Fields(line[2:]))
		case strings.HasPrefix(line, "C: "):
			cmd := tr.substitute(tr.expand(line[3:]))
			tr.conn().send(cmd)
			if f := strings.Fields(cmd); len(f) > 1 && strings.EqualFold(f[1], "LOGOUT") {
				tr.loggedOut[tr.cur] = true
			}
		case strings.HasPrefix(line, "S: "):
			tr.expectLine(line[3:], false)
		case strings.HasPrefix(line, "S* "):
			tr.expectLine(line[3:], true)
		case strings.HasPrefix(line, "S~ "):
			// The server's line is read before the values are looked up:
			// they may be what the command being answered just changed.
			got := tr.conn().line()
			re, err := regexp.Compile("^(?:" + tr.expand(line[3:]) + ")$")
			if err != nil {
				t.Fatalf("%s: %v", tr.where, err)
			}
			if !re.MatchString(got) {
				t.Fatalf("%s: server sent\n  %s\nwant a match for\n  %s", tr.where, got, re)
			}
		default:
			t.Fatalf("%s: cannot read %q", tr.where, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range tr.order {
		r := tr.conns[name]
		if tr.loggedOut[r] {
			continue
		}
		r.send("ZZ LOGOUT")
		if got := r.line(); got != "* BYE logging out" {
			t.Fatalf("%s: after the transcript, connection %s got %q", filepath.Base(path), name, got)
		}
		r.expect("ZZ OK")
	}
}

// use switches to connection name, opening it the first time.
func (tr *transcript) use(name string, login bool) {
	if tr.conns[name] == nil {
		if login {
			tr.conns[name] = tr.e.rawLoggedIn()
		} else {
			tr.conns[name] = tr.e.raw()
		}
		tr.order = append(tr.order, name)
	}
	tr.cur = tr.conns[name]
}

func (tr *transcript) conn() *rawConn {
	if tr.cur == nil {
		tr.use("default", true)
	}
	return tr.cur
}

// capture finds the parts of an expected line that are not literal.
var capture = regexp.MustCompile(`\$[A-Z][A-Z0-9_]*\b|\.\.\.`)

// pattern turns an expected line into a regular expression and the names
// of the variables it captures.
func (tr *transcript) pattern(want string) (*regexp.Regexp, []string) {
	var pat strings.Builder
	var names []string
	pat.WriteString("^")
	last := 0
	for _, m := range capture.FindAllStringIndex(want, -1) {
		pat.WriteString(regexp.QuoteMeta(want[last:m[0]]))
		tok := want[m[0]:m[1]]
		switch v, known := tr.vars[tok]; {
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

// expectLine reads the server's next line (or, with skip, the first
// matching one) and captures its variables. The ${...} values are looked
// up after the line is read: they may be what the command being answered
// just changed.
func (tr *transcript) expectLine(want string, skip bool) {
	for {
		got := tr.conn().line()
		want := tr.expand(want)
		re, names := tr.pattern(want)
		m := re.FindStringSubmatch(got)
		if m == nil && skip {
			continue
		}
		if m == nil {
			tr.t.Fatalf("%s: server sent\n  %s\nwant\n  %s", tr.where, got, want)
		}
		for i, name := range names {
			tr.vars[name] = m[i+1]
		}
		// A name repeated within the line must repeat its value.
		if re2, _ := tr.pattern(want); !re2.MatchString(got) {
			tr.t.Fatalf("%s: got %q: a repeated variable differs", tr.where, got)
		}
		return
	}
}

// substitute replaces captured variables in a client line.
func (tr *transcript) substitute(line string) string {
	return regexp.MustCompile(`\$[A-Z][A-Z0-9_]*\b`).ReplaceAllStringFunc(line, func(name string) string {
		v, ok := tr.vars[name]
		if !ok {
			tr.t.Fatalf("%s: client line %q uses %s before the server sent it", tr.where, line, name)
		}
		return v
	})
}

func (tr *transcript) box() *storage.Mailbox {
	mb, err := tr.e.store.MailboxByName(context.Background(), tr.e.alice.ID, tr.mailbox)
	if err != nil {
		tr.t.Fatalf("%s: mailbox %s: %v", tr.where, tr.mailbox, err)
	}
	return mb
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?::([0-9]+))?([+-][0-9]+)?\}`)

// expand replaces the ${...} placeholders of a line with current values.
func (tr *transcript) expand(line string) string {
	return placeholder.ReplaceAllStringFunc(line, func(p string) string {
		m := placeholder.FindStringSubmatch(p)
		var v uint64
		switch name := m[1]; {
		case name == "UIDVALIDITY":
			v = uint64(tr.box().UIDValidity)
		case name == "UIDNEXT":
			v = uint64(tr.box().UIDNext)
		case name == "HIGHESTMODSEQ":
			v = tr.box().HighestModSeq
		case name == "MODSEQ" && m[2] != "":
			uid, _ := strconv.ParseUint(m[2], 10, 32)
			msg, err := tr.e.store.Message(context.Background(), tr.e.alice.ID, tr.box().ID, storage.UID(uid))
			if err != nil {
				tr.t.Fatalf("%s: %s: %v", tr.where, p, err)
			}
			v = msg.ModSeq
		default:
			var ok bool
			if v, ok = tr.saved[name]; !ok {
				tr.t.Fatalf("%s: nothing saved as %s", tr.where, name)
			}
		}
		if m[3] != "" {
			d, _ := strconv.ParseInt(m[3], 10, 64)
			v = uint64(int64(v) + d)
		}
		return strconv.FormatUint(v, 10)
	})
}

// action applies one "!" line. Actions, all on the current mailbox (INBOX
// until "! mailbox"):
//
//	! deliver [n]                    n new messages (default 1, not \Recent)
//	! store <uids> +FLAGS|-FLAGS|FLAGS <flag>...
//	! expunge <uids>
//	! move <uids> <mailbox>
//	! create <mailbox>
//	! mailbox <mailbox>              later actions and values use it
//	! save <NAME>                    remember the current HIGHESTMODSEQ
//	! expire                         drop every tombstone (RFC 7162 §5.3)
func (tr *transcript) action(f []string) {
	t, e, ctx := tr.t, tr.e, context.Background()
	need := func(n int) {
		if len(f) < n {
			t.Fatalf("%s: %s needs %d arguments", tr.where, f[0], n-1)
		}
	}
	need(1)
	var err error
	switch f[0] {
	case "deliver":
		n := 1
		if len(f) > 1 {
			n, _ = strconv.Atoi(f[1])
		}
		e.importMessages(tr.mailbox, n)
	case "store":
		need(3)
		op := map[string]storage.FlagOp{"+FLAGS": storage.FlagsAdd, "-FLAGS": storage.FlagsRemove, "FLAGS": storage.FlagsReplace}[strings.ToUpper(f[2])]
		_, err = e.store.StoreFlags(ctx, e.alice.ID, tr.box().ID, parseUIDs(t, f[1]), op, f[3:], storage.Unconditional)
	case "expunge":
		need(2)
		_, err = e.store.Expunge(ctx, e.alice.ID, tr.box().ID, parseUIDs(t, f[1]))
	case "move":
		need(3)
		var to *storage.Mailbox
		if to, err = e.store.MailboxByName(ctx, e.alice.ID, f[2]); err == nil {
			_, err = e.store.Copy(ctx, e.alice.ID, tr.box().ID, parseUIDs(t, f[1]), to.ID, true)
		}
	case "create":
		need(2)
		_, err = e.store.CreateMailbox(ctx, e.alice.ID, f[1])
	case "mailbox":
		need(2)
		tr.mailbox = f[1]
	case "save":
		need(2)
		tr.saved[f[1]] = tr.box().HighestModSeq
	case "expire":
		err = e.store.ExpireTombstones(ctx, e.alice.ID, tr.box().ID, tr.box().HighestModSeq)
	default:
		t.Fatalf("%s: unknown action %q", tr.where, f[0])
	}
	if err != nil {
		t.Fatalf("%s: %s: %v", tr.where, strings.Join(f, " "), err)
	}
}

// parseUIDs reads "1,3:5" (no "*").
func parseUIDs(t testing.TB, s string) []storage.UID {
	t.Helper()
	var out []storage.UID
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 10, 32)
		b, err2 := strconv.ParseUint(hi, 10, 32)
		if err1 != nil || err2 != nil || a == 0 || a > b {
			t.Fatalf("bad UID set %q", s)
		}
		for u := a; u <= b; u++ {
			out = append(out, storage.UID(u))
		}
	}
	return out
}

// TestQresyncTranscripts replays testdata/qresync: the examples of RFC 7162
// and of the seed draft (draft-ietf-lemonade-reconnect-client-01 §3.1),
// adapted to what the store really assigns. Each file says which example
// it is and which QR requirements it shows.
func TestQresyncTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/qresync/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			replayTranscript(t, newTestEnv(t), f)
		})
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
