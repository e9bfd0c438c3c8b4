// Command qresync benchmarks how a mail client catches up with a large
// mailbox after a while away: QRESYNC (RFC 7162) against a full flag
// resynchronisation, on zest and on Dovecot, side by side on this machine.
// See bench/README.md.
//
//	go run ./bench/qresync [-n 100000] [-reps 5] [-servers zest,dovecot]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"zest/bench/internal/harness"
)

const (
	benchUser     = harness.BenchUser
	benchPassword = harness.BenchPassword
)

func main() { os.Exit(run(os.Args[1:], os.Stdout)) }

// server is one server under test, with the two copies of its INBOX the
// benchmark keeps: what the client knows, and what the server holds.
type server struct {
	name string
	addr string
	p    *harness.Process
	zest *harness.Zest
	dove *harness.Dovecot
	rng  *rand.Rand // picks the changes; seeded alike for every server

	modseqFetch bool   // answers the MODSEQ fetch item
	qresync     bool   // does (or may do) the QRESYNC resync
	noQresync   string // why it does not
	client      *box   // the QRESYNC client's copy, synchronised to client.modseq
	want        *box   // the server's INBOX as the benchmark's changes left it

	first      measure
	firstNotes []string
	qr, full   []measure
	qrOwn      []int // the changes' own size, per QRESYNC measured
	fullOwn    []int // the same, per full resync
	mem        memReadings
	failed     bool
}

// run is main without the process: it parses args, writes the report to
// out and returns the exit status.
func run(args []string, out io.Writer) int {
	flags := flag.NewFlagSet("bench/qresync", flag.ContinueOnError)
	n := flags.Int("n", 100000, "messages in the bench user's INBOX")
	reps := flags.Int("reps", 5, "repetitions: each measures both ways of catching up, each after its own round of changes")
	nFlags := flags.Int("changes", 100, "flag changes per round, each on a different message")
	nExpunge := flags.Int("expunges", 10, "messages expunged per round (in one UID EXPUNGE)")
	size := flags.Int("size", 3000, "mean size of a message's text in bytes; sizes spread over 2/3..4/3 of it")
	serverList := flags.String("servers", "zest,dovecot", "servers to run, comma-separated: zest, dovecot")
	dovecotBin := flags.String("dovecot", harness.DefaultDovecot, "Dovecot master binary")
	tmpParent := flags.String("tmpdir", "", "where to create the temp dir (default $TMPDIR or /tmp); must be a real disk for fsync to mean anything")
	keep := flags.Bool("keep", false, "keep the temp dir (configs, logs, data) instead of removing it")
	limit := flags.Duration("timeout", 10*time.Minute, "bound on the whole run")
	cmdTimeout := flags.Duration("cmd-timeout", 2*time.Minute, "bound on one IMAP command")
	seed := flags.Uint64("seed", 1, "seed of the random changes (the same for every server)")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	servers, err := harness.ParseServers(*serverList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/qresync: -servers:", err)
		return 2
	}
	switch {
	case *n < 1 || *n > 1_000_000:
		fmt.Fprintln(os.Stderr, "bench/qresync: -n must be 1..1000000")
		return 2
	case *reps < 1 || *reps > 100:
		fmt.Fprintln(os.Stderr, "bench/qresync: -reps must be 1..100")
		return 2
	case *nFlags < 0 || *nExpunge < 0 || *nFlags+*nExpunge < 1:
		fmt.Fprintln(os.Stderr, "bench/qresync: -changes and -expunges must be >= 0, and not both 0")
		return 2
	case 2*(*reps)*(*nExpunge)+*nFlags > *n:
		// Each repetition makes two rounds of changes; the last round
		// still needs -changes + -expunges distinct messages.
		fmt.Fprintln(os.Stderr, "bench/qresync: -n must be at least 2 × -reps × -expunges + -changes")
		return 2
	case *size < 300 || *size > 1<<20:
		fmt.Fprintln(os.Stderr, "bench/qresync: -size must be 300..1048576")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *limit)
	defer cancel()

	fmt.Fprintf(out, "# zest QRESYNC benchmark: catching up with a large mailbox, QRESYNC vs full resync, zest vs Dovecot\n")
	fmt.Fprintf(out, "command: %s\n", harness.CommandLine("./bench/qresync"))
	fmt.Fprintf(out, "settings: -n %d -reps %d -changes %d -expunges %d -size %d -servers %s -seed %d\n",
		*n, *reps, *nFlags, *nExpunge, *size, strings.Join(servers, ","), *seed)
	fmt.Fprintf(out, "host: %s/%s, %d CPUs, %s; the client runs on the same machine\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "scenario: a client syncs INBOX once (SELECT, UID FETCH 1:* (UID FLAGS MODSEQ)) and leaves. Then, for each way of catching up,\n"+
		"  once per repetition (the order of the two ways alternates): another session makes %d flag changes on distinct random messages\n"+
		"  (UID STORE +/-FLAGS.SILENT: \\Flagged, \\Seen, keywords) and expunges %d others (UID STORE +FLAGS.SILENT (\\Deleted), UID EXPUNGE),\n"+
		"  logs out, and the client comes back on a fresh connection and LOGIN (not counted) and catches up:\n"+
		"    QRESYNC: ENABLE QRESYNC, SELECT INBOX (QRESYNC (<uidvalidity> <modseq>)), from its copy after the previous catch-up\n"+
		"    full:    SELECT INBOX, UID FETCH 1:* (FLAGS)\n"+
		"  then its copy is compared with the server's INBOX (EXAMINE, UID FETCH 1:* (UID FLAGS MODSEQ), not timed)\n",
		*nFlags, *nExpunge)

	tmp, err := os.MkdirTemp(*tmpParent, "zest-bench-qresync-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/qresync:", err)
		return 1
	}
	if *keep {
		fmt.Fprintf(out, "temp dir (kept): %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	fs := harness.FSType(tmp)
	fmt.Fprintf(out, "temp dir filesystem: %s\n", fs)
	if harness.NoFsync(fs) {
		fmt.Fprintf(out, "WARNING: %s has no real fsync; the changes' cost is not that of a disk. Use -tmpdir on a disk.\n", fs)
	}

	fmt.Fprintln(out)
	maildir := filepath.Join(tmp, "maildir")
	t0 := time.Now()
	total, err := writeMaildir(maildir, *n, *size)
	if err != nil {
		fmt.Fprintf(out, "FAILED to write the maildir: %v\nresult: FAILED\n", err)
		return 1
	}
	fmt.Fprintf(out, "mail: %d messages, %.1f MB (mean %d bytes, LF line ends), written as a maildir in %.1f s; initial flags: %d%% \\Seen, %d%% \\Answered, %d%% \\Flagged, %d%% $Work\n",
		*n, float64(total)/1e6, total/int64(*n), time.Since(t0).Seconds(), seenPct, answeredPct, flaggedPct, keywordPct)

	failed := false
	var srvs []*server
	var procs []*harness.Process
	defer func() {
		for _, p := range procs {
			if err := p.Stop(15 * time.Second); err != nil {
				fmt.Fprintf(os.Stderr, "stopping %s: %v\n", p.Name, err)
			}
		}
	}()
	newServer := func(name, addr string, p *harness.Process) *server {
		return &server{name: name, addr: addr, p: p, rng: rand.New(rand.NewPCG(*seed, 0xc4a9e5))}
	}
	// zest imports the maildir first; Dovecot then takes the files over
	// as its own, untouched.
	setupOrder := slices.Clone(servers)
	slices.SortStableFunc(setupOrder, func(a, b string) int {
		if a == "zest" && b != "zest" {
			return -1
		}
		return 0
	})
	for _, name := range setupOrder {
		if ctx.Err() != nil {
			break
		}
		switch name {
		case "zest":
			z, err := harness.PrepareZest(ctx, tmp, "imap")
			if err != nil {
				fmt.Fprintf(out, "zest: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			t0 := time.Now()
			said, err := z.Admin(ctx, "", "import", benchUser, "INBOX", maildir)
			if err != nil {
				fmt.Fprintf(out, "zest: FAILED to import the maildir: %v\n", err)
				failed = true
				continue
			}
			took := time.Since(t0)
			fmt.Fprintf(out, "zest: `zest import %s INBOX <maildir>` in %.1f s (%.0f messages/s): %s\n", benchUser, took.Seconds(), float64(*n)/took.Seconds(), strings.TrimSpace(said))
			if err := z.Serve(); err != nil {
				fmt.Fprintf(out, "zest: FAILED to start: %v\n", err)
				failed = true
				continue
			}
			procs = append(procs, z.P)
			if err := probe(z.Addr("imap"), 5*time.Second); err != nil {
				fmt.Fprintf(out, "zest: NO IMAP on %s: %v\n", z.Addr("imap"), err)
				failed = true
				continue
			}
			s := newServer(name, z.Addr("imap"), z.P)
			s.zest = z
			fmt.Fprintf(out, "zest: %s, pid %d, IMAP on %s\n", z.Bin, z.P.Pid(), s.addr)
			srvs = append(srvs, s)
		case "dovecot":
			if _, err := os.Stat(*dovecotBin); err != nil {
				fmt.Fprintf(out, "dovecot: NOT INSTALLED (%s missing): apt-get install dovecot-imapd; skipping Dovecot\n", *dovecotBin)
				if len(servers) == 1 {
					failed = true
				}
				continue
			}
			d, err := harness.StartDovecot(ctx, harness.DovecotOptions{
				Binary: *dovecotBin, Tmp: tmp, Protocols: []string{"imap"}, Generator: "bench/qresync", MaxClients: 4,
			})
			if err != nil {
				fmt.Fprintf(out, "dovecot: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			procs = append(procs, d.P)
			if err := os.Rename(maildir, d.Maildir); err != nil {
				fmt.Fprintf(out, "dovecot: FAILED to move the maildir in place: %v\n", err)
				failed = true
				continue
			}
			if os.Geteuid() == 0 {
				if err := chownTree(d.Maildir, d.MailUID, d.MailGID); err != nil {
					fmt.Fprintf(out, "dovecot: FAILED to give the maildir to its owner: %v\n", err)
					failed = true
					continue
				}
			}
			s := newServer(name, d.Addr("imap"), d.P)
			s.dove = d
			fmt.Fprintf(out, "dovecot: %s %s, pid %d, IMAP on %s, maildir %s (the same files, moved in before its first login), mail_fsync=always\n",
				*dovecotBin, d.Version, d.P.Pid(), s.addr, d.Maildir)
			srvs = append(srvs, s)
		}
	}
	// Report in the order asked for.
	slices.SortStableFunc(srvs, func(a, b *server) int { return slices.Index(servers, a.name) - slices.Index(servers, b.name) })
	if len(srvs) == 0 {
		fmt.Fprintln(out, "no server to benchmark\nresult: FAILED")
		return 1
	}

	fmt.Fprintln(out)
	for _, s := range srvs {
		s.mem.idle = s.memory()
		t0 := time.Now()
		fr, err := firstSync(s.addr, *cmdTimeout)
		if err != nil {
			fmt.Fprintf(out, "%s: first sync FAILED: %v\n", s.name, err)
			s.failed, failed = true, true
			continue
		}
		s.client, s.first, s.firstNotes, s.modseqFetch = fr.box, fr.m, fr.notes, fr.modseqFetch
		s.want = s.client.clone()
		s.qresync = s.client.modseq > 0
		if !s.qresync {
			s.noQresync = "no HIGHESTMODSEQ to resynchronise from"
		}
		fmt.Fprintf(out, "%s: first sync: %d messages, %d bytes received, %d sent, %d commands, %s (%.1f s with LOGIN); UIDVALIDITY %d, HIGHESTMODSEQ %d\n",
			s.name, len(s.client.flags), s.first.use.in, s.first.use.out, s.first.use.cmds, harness.FmtDur(s.first.wall), time.Since(t0).Seconds(), s.client.uidValidity, s.client.modseq)
		for _, note := range s.firstNotes {
			fmt.Fprintf(out, "    %s\n", note)
		}
		if len(s.client.flags) != *n {
			fmt.Fprintf(out, "%s: FAILED: INBOX holds %d messages, want %d\n", s.name, len(s.client.flags), *n)
			s.failed, failed = true, true
		}
		s.mem.synced = s.memory()
	}

	for r := 1; r <= *reps && ctx.Err() == nil; r++ {
		fmt.Fprintf(out, "\n== repetition %d of %d ==\n", r, *reps)
		order := slices.Clone(srvs)
		if r%2 == 0 {
			slices.Reverse(order) // neither server always runs on the warmer machine
		}
		for _, s := range order {
			if s.failed || ctx.Err() != nil {
				continue
			}
			if !repetition(s, r, settings{nFlags: *nFlags, nExpunge: *nExpunge, timeout: *cmdTimeout, out: out}) {
				s.failed, failed = true, true
			}
			s.mem.peak = s.mem.peak.max(s.memory())
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintf(out, "\nstopped: %v\n", context.Cause(ctx))
		failed = true
	}

	time.Sleep(time.Second)
	for _, s := range srvs {
		if !s.p.Exited() {
			s.mem.end = s.memory()
		}
	}
	fmt.Fprintln(out)
	printResults(out, srvs, *n, *nFlags, *nExpunge)
	printMemory(out, srvs)

	for _, p := range procs {
		if err := p.Stop(15 * time.Second); err != nil {
			fmt.Fprintf(out, "stopping %s: %v\n", p.Name, err)
			failed = true
		}
	}
	procs = nil
	for _, s := range srvs {
		if s.dove == nil {
			continue
		}
		if probs := harness.LogProblems(s.dove.LogPath, 10); len(probs) > 0 {
			fmt.Fprintln(out, "dovecot.log errors:")
			for _, l := range probs {
				fmt.Fprintln(out, "  "+l)
			}
			failed = true
		}
		if !s.qresync && !s.failed {
			fmt.Fprintf(out, "dovecot: FAILED: the QRESYNC resync did not work (%s); Dovecot supports it, so the benchmark is wrong\n", s.noQresync)
			failed = true
		}
	}
	if failed {
		fmt.Fprintln(out, "result: FAILED")
		return 1
	}
	fmt.Fprintln(out, "result: ok")
	return 0
}

// settings are the run's parameters that each catch-up needs.
type settings struct {
	nFlags, nExpunge int
	timeout          time.Duration // of one IMAP command
	out              io.Writer
}

// repetition measures both ways of catching up on s, each after a fresh
// round of changes, in an order that alternates from one repetition to the
// next. It reports whether all went well.
func repetition(s *server, r int, set settings) bool {
	ways := []string{"QRESYNC", "full"}
	if r%2 == 0 {
		slices.Reverse(ways) // neither way always runs first
	}
	for _, way := range ways {
		if way == "QRESYNC" && !s.qresync {
			continue
		}
		if !s.catchUp(way, set) {
			return false
		}
	}
	return true
}

// catchUp makes a round of changes in another session, lets the client
// come back one way, and checks its copy against the server's INBOX.
func (s *server) catchUp(way string, set settings) bool {
	out := set.out
	cs := pickChanges(s.rng, s.want, set.nFlags, set.nExpunge)
	took, err := applyChanges(s.addr, cs, set.timeout)
	if err != nil {
		fmt.Fprintf(out, "%s: FAILED: %v\n", s.name, err)
		return false
	}
	var b *box
	var m measure
	if way == "QRESYNC" {
		b, m, err = resyncQresync(s.addr, s.client, len(cs.expunged), set.timeout)
		var no *noQresyncError
		if errors.As(err, &no) {
			s.qresync, s.noQresync = false, err.Error()
			err = nil // the server's state is still checked below
		}
	} else {
		b, m, err = resyncFull(s.addr, s.client.uidValidity, set.timeout)
	}
	if err != nil {
		fmt.Fprintf(out, "%s: %s resync FAILED: %v\n", s.name, way, err)
		return false
	}

	t, err := readTruth(s.addr, s.modseqFetch, set.timeout)
	if err != nil {
		fmt.Fprintf(out, "%s: FAILED: %v\n", s.name, err)
		return false
	}
	ok := true
	check := func(what string, got map[uint32]string) {
		if d := diffBoxes(got, t.flags, 5); d != "" {
			fmt.Fprintf(out, "%s: FAILED: %s differs from the server's INBOX: %s\n", s.name, what, d)
			ok = false
		}
	}
	check("the benchmark's record of its own changes", s.want.flags)
	own := t.ownSize(cs.changed, cs.expunged)
	line := fmt.Sprintf("%s: %d flag changes and %d expunges by another session in %.2f s; ", s.name, len(cs.changed), len(cs.expunged), took.Seconds())
	if b == nil {
		fmt.Fprintf(out, "%sQRESYNC NOT SUPPORTED: %s\n", line, s.noQresync)
		if s.zest != nil {
			fmt.Fprintf(out, "%s: (not a failure of the run: zest's QRESYNC is being written; its QRESYNC row stays empty)\n", s.name)
		}
		// The client, up to date by other means, resynchronises from now on.
		s.client = &box{uidValidity: t.uidValidity, modseq: t.highest, flags: maps.Clone(t.flags)}
		return ok
	}
	line += fmt.Sprintf("%s: %d cmds, %d B in (%.2f× the changes' own %d B), %d B out, %s",
		way, m.use.cmds, m.use.in, float64(m.use.in)/float64(own), own, m.use.out, harness.FmtDur(m.wall))
	check("the client's copy after the "+way+" resync", b.flags)
	if way == "QRESYNC" {
		if b.modseq != t.highest {
			fmt.Fprintf(out, "%s: FAILED: QRESYNC SELECT said HIGHESTMODSEQ %d, the server then %d\n", s.name, b.modseq, t.highest)
			ok = false
		}
		s.qr, s.qrOwn = append(s.qr, m), append(s.qrOwn, own)
	} else {
		s.full, s.fullOwn = append(s.full, m), append(s.fullOwn, own)
		b.modseq = t.highest // the full copy equals the server's INBOX at this mod-sequence
	}
	// The next QRESYNC starts from this copy: it must learn of its own
	// round of changes only.
	s.client = b
	if ok {
		line += "; copy = server's INBOX"
	}
	fmt.Fprintln(out, line)
	return ok
}
