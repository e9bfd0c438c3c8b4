package main

import (
	"bufio"
	"errors"
	"maps"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeServer is a scripted IMAP server on loopback: it greets, accepts any
// LOGIN, and answers every other command with the lines script gives for
// it (untagged lines, then the tagged status text, e.g. "OK done").
// Commands the script does not know get BAD.
func fakeServer(t *testing.T, script map[string][]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				w := bufio.NewWriter(c)
				w.WriteString("* OK [CAPABILITY IMAP4rev1] fake ready\r\n")
				w.Flush()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					tag, cmd, _ := strings.Cut(sc.Text(), " ")
					lines, ok := script[cmd]
					switch {
					case strings.HasPrefix(cmd, "LOGIN "):
						lines = []string{"OK LOGIN completed"}
					case cmd == "LOGOUT":
						w.WriteString("* BYE\r\n" + tag + " OK bye\r\n")
						w.Flush()
						return
					case !ok:
						lines = []string{"BAD unknown command"}
					}
					for _, l := range lines[:len(lines)-1] {
						w.WriteString(l + "\r\n")
					}
					w.WriteString(tag + " " + lines[len(lines)-1] + "\r\n")
					w.Flush()
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// wireSize is the bytes of lines as sent, with CRLFs and the tag the
// client gives the n-th command of its connection (LOGIN is the first).
func wireSize(n int, lines []string) int64 {
	size := int64(len("A") + len(strconv.Itoa(n)) + 1)
	for _, l := range lines {
		size += int64(len(l) + 2)
	}
	return size
}

var selectLines = []string{
	`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
	`* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] ok`,
	`* 3 EXISTS`,
	`* OK [UIDVALIDITY 7] ok`,
	`* OK [UIDNEXT 11] ok`,
}

func TestResyncQresync(t *testing.T) {
	qrSelect := append(append([]string{}, selectLines...),
		`* OK [HIGHESTMODSEQ 120] ok`,
		`* VANISHED (EARLIER) 2,9:10`,
		`* 1 FETCH (UID 1 FLAGS (\Seen \Recent) MODSEQ (110))`,
		`* 3 FETCH (MODSEQ (115) FLAGS () UID 5)`,
		`OK [READ-WRITE] SELECT completed`)
	enable := []string{`* ENABLED QRESYNC`, `OK ENABLE completed`}
	addr := fakeServer(t, map[string][]string{
		"ENABLE QRESYNC":                   enable,
		"SELECT INBOX (QRESYNC (7 100))":   qrSelect,
		"SELECT INBOX (QRESYNC (7 101))":   append(append([]string{}, selectLines...), `* OK [HIGHESTMODSEQ 120] ok`, `OK [READ-WRITE] SELECT completed`),
		"SELECT INBOX (QRESYNC (8 100))":   {"BAD expected end of line, found ' '"},
		"SELECT INBOX (QRESYNC (7 102))":   append(append([]string{}, selectLines...), `* OK [HIGHESTMODSEQ 120] ok`, `* VANISHED (EARLIER) 2,9:10`, `OK [READ-WRITE] SELECT completed`),
		"SELECT INBOX (QRESYNC (7 103))":   append(append([]string{}, selectLines...), `* VANISHED (EARLIER) 2,9:10`, `* 2 EXPUNGE`, `OK [READ-WRITE] SELECT completed`),
		"SELECT INBOX (QRESYNC (7 104))":   append(append([]string{}, selectLines...), `* 1 FETCH (FLAGS ())`, `OK done`),
		"SELECT INBOX (QRESYNC (7 105))":   append(append([]string{}, selectLines...), `* 1 FETCH (UID 1 FLAGS (\Seen) MODSEQ (3) X {5}`, `abcd)`, `OK done`),
		"SELECT INBOX (QRESYNC (7 106))":   append(append([]string{}, selectLines...), `* OK [HIGHESTMODSEQ 120] ok`, `* VANISHED (EARLIER) 2,9`, `OK [READ-WRITE] SELECT completed`),
		"UID FETCH 1:* (FLAGS)":            {`* 1 FETCH (UID 4 FLAGS (\Flagged))`, `* 2 FETCH (FLAGS () UID 6)`, `* 3 FETCH (UID 8 FLAGS ($Work))`, `OK done`},
		"SELECT INBOX":                     append(append([]string{}, selectLines...), `OK [READ-WRITE] done`),
		"UID FETCH 1:* (UID FLAGS MODSEQ)": {`BAD unknown fetch item MODSEQ`},
		"UID FETCH 1:* (UID FLAGS)":        {`* 1 FETCH (UID 4 FLAGS (\Flagged))`, `* 2 FETCH (UID 6 FLAGS ())`, `* 3 FETCH (UID 8 FLAGS ($Work))`, `OK done`},
		"STATUS INBOX (HIGHESTMODSEQ)":     {`* STATUS INBOX (HIGHESTMODSEQ 99)`, `OK done`},
		"EXAMINE INBOX":                    append(append([]string{}, selectLines...), `OK [READ-ONLY] done`),
	})
	prev := &box{uidValidity: 7, modseq: 100, flags: map[uint32]string{1: "", 2: `\seen`, 4: `\seen`, 5: `\seen`, 9: "", 10: ""}}
	prevCopy := maps.Clone(prev.flags)

	next, m, err := resyncQresync(addr, prev, 3, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint32]string{1: `\seen`, 4: `\seen`, 5: ""}
	if d := diffBoxes(next.flags, want, 10); d != "" || next.modseq != 120 || next.uidValidity != 7 {
		t.Errorf("after QRESYNC: %s; modseq %d", d, next.modseq)
	}
	if !maps.Equal(prev.flags, prevCopy) {
		t.Error("the previous copy was changed")
	}
	// Exactly the bytes of ENABLE and SELECT, both ways, LOGIN excluded.
	if wantIn := wireSize(2, enable) + wireSize(3, qrSelect); m.use.in != wantIn || m.use.cmds != 2 {
		t.Errorf("counted %d bytes in, %d commands; want %d, 2", m.use.in, m.use.cmds, wantIn)
	}
	if wantOut := int64(len("A2 ENABLE QRESYNC\r\nA3 SELECT INBOX (QRESYNC (7 100))\r\n")); m.use.out != wantOut {
		t.Errorf("counted %d bytes out, want %d", m.use.out, wantOut)
	}

	var no *noQresyncError
	for modseq, want := range map[uint64]string{
		101: "reported none of the 3 messages expunged",
		102: "", // VANISHED without FETCH: fine when no flag changed
	} {
		p := prev.clone()
		p.modseq = modseq
		_, _, err := resyncQresync(addr, p, 3, 10*time.Second)
		switch {
		case want == "" && err != nil:
			t.Errorf("modseq %d: %v", modseq, err)
		case want != "" && (!errors.As(err, &no) || !strings.Contains(err.Error(), want)):
			t.Errorf("modseq %d: %v, want a noQresyncError saying %q", modseq, err, want)
		}
	}
	p := prev.clone()
	p.uidValidity = 8
	if _, _, err := resyncQresync(addr, p, 3, 10*time.Second); !errors.As(err, &no) || !strings.Contains(err.Error(), "answered BAD expected end of line") {
		t.Errorf("BAD select parameter: %v", err)
	}
	for modseq, want := range map[uint64]string{
		103: "EXPUNGE during the SELECT",
		104: "without UID",
		106: "client has 4 messages, the server says 3 EXISTS",
	} {
		p := prev.clone()
		p.modseq = modseq
		_, _, err := resyncQresync(addr, p, 3, 10*time.Second)
		if err == nil || errors.As(err, &no) || !strings.Contains(err.Error(), want) {
			t.Errorf("modseq %d: %v, want a failure saying %q", modseq, err, want)
		}
	}
	// A literal inside a response line is read whole.
	p = prev.clone()
	p.modseq = 105
	if _, _, err := resyncQresync(addr, p, 0, 10*time.Second); err == nil || !strings.Contains(err.Error(), "HIGHESTMODSEQ") {
		t.Errorf("response with a literal: %v", err)
	}

	full, m, err := resyncFull(addr, 7, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffBoxes(full.flags, map[uint32]string{4: `\flagged`, 6: "", 8: "$work"}, 10); d != "" || m.use.cmds != 2 {
		t.Errorf("full resync: %s, %d commands", d, m.use.cmds)
	}

	fr, err := firstSync(addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if fr.modseqFetch || fr.box.modseq != 99 || len(fr.box.flags) != 3 || fr.m.use.cmds != 4 || len(fr.notes) != 2 {
		t.Errorf("first sync with fallbacks: %+v, modseq %d, %d messages, notes %q", fr, fr.box.modseq, len(fr.box.flags), fr.notes)
	}
}
