package imap

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"zest/storage"
)

// TestQresyncTranscripts replays the conversations in testdata/qresync:
// the examples of RFC 7162 and of the seed draft (draft-ietf-lemonade-
// reconnect-client-01 §3.1), adapted to what the store really assigns.
// Each file says which example it is and which QR requirements it shows.
func TestQresyncTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/qresync/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			replayTranscript(t, f)
		})
	}
}

// A transcript is a file of lines:
//
//	# comment
//	! action ...   a change made through the store, as another session or
//	               an agent would make it; before the first C: line it is
//	               the setup of the mailbox
//	C: line        a line the client sends
//	S: line        the next line the server sends, exactly
//	S~ regexp      the next line the server sends matches regexp (whole line)
//
// C: and S: lines may name values the store chose, read when the line is
// processed: ${UIDVALIDITY}, ${UIDNEXT}, ${HIGHESTMODSEQ} (of the current
// mailbox), ${MODSEQ:<uid>} (a message's mod-sequence) and ${NAME} (a value
// saved by "! save NAME"), each optionally followed by +n or -n.
//
// Actions, all on the current mailbox (INBOX until "! mailbox"):
//
//	! deliver <n>                    n new messages (not \Recent)
//	! store <uids> +FLAGS|-FLAGS|FLAGS <flag>...
//	! expunge <uids>
//	! move <uids> <mailbox>
//	! create <mailbox>
//	! mailbox <mailbox>              later actions and values use it
//	! save <NAME>                    remember the current HIGHESTMODSEQ
//	! expire                         drop every tombstone (RFC 7162 §5.3)
//
// The session is logged in before the first C: line; after the last line
// it logs out, so a response the transcript does not expect fails it.
func replayTranscript(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	tr := &transcript{t: t, e: e, mailbox: "INBOX", saved: map[string]uint64{}}
	for n, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		tr.where = fmt.Sprintf("%s:%d", filepath.Base(path), n+1)
		line = strings.TrimRight(line, "\r")
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "! "):
			tr.action(strings.Fields(line[2:]))
		case strings.HasPrefix(line, "C: "):
			tr.conn().send(tr.expand(line[3:]))
		case strings.HasPrefix(line, "S: "):
			if got, want := tr.conn().line(), tr.expand(line[3:]); got != want {
				t.Fatalf("%s: server sent\n  %s\nwant\n  %s", tr.where, got, want)
			}
		case strings.HasPrefix(line, "S~ "):
			re, err := regexp.Compile("^(?:" + tr.expand(line[3:]) + ")$")
			if err != nil {
				t.Fatalf("%s: %v", tr.where, err)
			}
			if got := tr.conn().line(); !re.MatchString(got) {
				t.Fatalf("%s: server sent\n  %s\nwant a match for\n  %s", tr.where, got, re)
			}
		default:
			t.Fatalf("%s: cannot read %q", tr.where, line)
		}
	}
	r := tr.conn()
	r.send("ZZ LOGOUT")
	if got := r.line(); got != "* BYE logging out" {
		t.Fatalf("after the transcript the server sent %q", got)
	}
	r.expect("ZZ OK")
}

type transcript struct {
	t       *testing.T
	e       *testEnv
	r       *rawConn
	where   string // file:line, for messages
	mailbox string
	saved   map[string]uint64
}

func (tr *transcript) conn() *rawConn {
	if tr.r == nil {
		tr.r = tr.e.rawLoggedIn()
	}
	return tr.r
}

func (tr *transcript) box() *storage.Mailbox {
	mb, err := tr.e.store.MailboxByName(context.Background(), tr.e.alice.ID, tr.mailbox)
	if err != nil {
		tr.t.Fatalf("%s: mailbox %s: %v", tr.where, tr.mailbox, err)
	}
	return mb
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?::([0-9]+))?([+-][0-9]+)?\}`)

// expand replaces the placeholders of a C: or S: line with current values.
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
		need(2)
		n, _ := strconv.Atoi(f[1])
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
