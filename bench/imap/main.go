// Command imap benchmarks IMAP under a mobile-client mix, zest against
// Dovecot, side by side on this machine. See bench/README.md.
//
//	go run ./bench/imap [-messages 2000] [-c 10,50] [-duration 20s] [-servers zest,dovecot]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"zest/bench/internal/harness"
)

func main() { os.Exit(run()) }

// The messages both servers get: about -size bytes of text, one in
// attachEvery a multipart/mixed message with an attachment, Dates an hour
// apart.
const (
	attachEvery = 25
	dateSpacing = time.Hour
	lmtpConns   = 4 // parallel LMTP connections delivering them
)

func run() int {
	nMsgs := flag.Int("messages", 2000, "messages in the bench user's INBOX, delivered over LMTP before the load")
	concList := flag.String("c", "10,50", "comma-separated list of concurrencies (IMAP clients, each with one connection)")
	dur := flag.Duration("duration", 20*time.Second, "length of each run (one server at one concurrency)")
	warmup := flag.Duration("warmup", 5*time.Second, "unmeasured run per server at the lowest concurrency before the measured ones (0: none)")
	idleHold := flag.Duration("idle", 100*time.Millisecond, "how long each IDLE of the mix lasts")
	serverList := flag.String("servers", "zest,dovecot", "servers to run, comma-separated: zest, dovecot")
	size := flag.Int("size", 4096, "approximate size of the text of each message in bytes")
	sampleEvery := flag.Duration("sample", 250*time.Millisecond, "interval of the memory readings during a run")
	dovecotBin := flag.String("dovecot", harness.DefaultDovecot, "Dovecot master binary")
	tmpParent := flag.String("tmpdir", "", "where to create the temp dir (default $TMPDIR or /tmp); must be a real disk for fsync to mean anything")
	keep := flag.Bool("keep", false, "keep the temp dir (configs, logs, data) instead of removing it")
	flag.Parse()

	concs, err := harness.ParseConcs(*concList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/imap: -c:", err)
		return 2
	}
	servers, err := harness.ParseServers(*serverList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/imap: -servers:", err)
		return 2
	}
	switch {
	case *nMsgs < 1 || *nMsgs > 100000:
		fmt.Fprintln(os.Stderr, "bench/imap: -messages must be 1..100000")
		return 2
	case *size < 512 || *size > 1<<20:
		fmt.Fprintln(os.Stderr, "bench/imap: -size must be 512..1048576")
		return 2
	case *dur < time.Second || *dur > 10*time.Minute:
		fmt.Fprintln(os.Stderr, "bench/imap: -duration must be 1s..10m")
		return 2
	case *warmup < 0 || *warmup > 10*time.Minute:
		fmt.Fprintln(os.Stderr, "bench/imap: -warmup must be 0..10m")
		return 2
	case *idleHold < time.Millisecond || *idleHold > 10*time.Second:
		fmt.Fprintln(os.Stderr, "bench/imap: -idle must be 1ms..10s")
		return 2
	case *sampleEvery < 10*time.Millisecond:
		fmt.Fprintln(os.Stderr, "bench/imap: -sample must be at least 10ms")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Printf("# zest IMAP benchmark: a mobile-client mix, zest vs Dovecot\n")
	fmt.Printf("command: %s\n", harness.CommandLine("./bench/imap"))
	fmt.Printf("settings: -messages %d -c %s -duration %s -warmup %s -idle %s -servers %s -size %d\n",
		*nMsgs, harness.JoinInts(concs), *dur, *warmup, *idleHold, strings.Join(servers, ","), *size)
	fmt.Printf("host: %s/%s, %d CPUs, %s; load generator in the same machine\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	printMix(mix, *idleHold)
	fmt.Printf("messages: %d, about %d bytes of text each, one in %d multipart/mixed with a 2-6 KB attachment, Dates %.0f h apart; the same bytes to both servers over LMTP\n",
		*nMsgs, *size, attachEvery, dateSpacing.Hours())

	tmp, err := os.MkdirTemp(*tmpParent, "zest-bench-imap-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/imap:", err)
		return 1
	}
	if *keep {
		fmt.Printf("temp dir (kept): %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	fs := harness.FSType(tmp)
	fmt.Printf("temp dir filesystem: %s\n", fs)
	if harness.NoFsync(fs) {
		fmt.Printf("WARNING: %s has no real fsync; durable APPEND, STORE and EXPUNGE are not measured. Use -tmpdir on a disk.\n", fs)
	}

	gen := harness.MessageGen{To: harness.BenchUser, Tag: "imap-bench", Size: *size, Spacing: dateSpacing, AttachEvery: attachEvery}
	msgs := make([][]byte, *nMsgs)
	for i := range msgs {
		msgs[i] = gen.Message(i)
	}

	failed := false
	var srvs []*server
	var procs []*harness.Process // every server started, to stop at the end
	defer func() {
		for _, p := range procs {
			if err := p.Stop(15 * time.Second); err != nil {
				fmt.Fprintf(os.Stderr, "stopping %s: %v\n", p.Name, err)
			}
		}
	}()

	fmt.Println()
	for _, name := range servers {
		if ctx.Err() != nil {
			break
		}
		var s *server
		switch name {
		case "zest":
			z, err := harness.StartZest(ctx, tmp, "lmtp", "imap")
			if err != nil {
				fmt.Printf("zest: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			procs = append(procs, z.P)
			s = &server{name: name, zest: z, p: z.P, lmtpAddr: z.Addr("lmtp"), imapAddr: z.Addr("imap")}
			if err := probeIMAP(s.imapAddr, 5*time.Second); err != nil {
				fmt.Printf("zest: NO IMAP: nothing answers on %s (%v); zest's IMAP server does not exist yet or is off. Continuing without zest.\n", s.imapAddr, err)
				procs = slices.DeleteFunc(procs, func(p *harness.Process) bool { return p == z.P })
				if err := z.P.Stop(15 * time.Second); err != nil {
					fmt.Printf("stopping zest: %v\n", err)
				}
				continue
			}
			fmt.Printf("zest: %s, pid %d, IMAP on %s, LMTP on %s\n", z.Bin, z.P.Pid(), s.imapAddr, s.lmtpAddr)
		case "dovecot":
			if _, err := os.Stat(*dovecotBin); err != nil {
				fmt.Printf("dovecot: NOT INSTALLED (%s missing): apt-get install dovecot-imapd dovecot-lmtpd; skipping Dovecot\n", *dovecotBin)
				if len(servers) == 1 {
					failed = true
				}
				continue
			}
			d, err := harness.StartDovecot(ctx, harness.DovecotOptions{
				Binary: *dovecotBin, Tmp: tmp, Protocols: []string{"imap", "lmtp"}, Generator: "bench/imap",
				MaxClients: slices.Max(concs),
			})
			if err != nil {
				fmt.Printf("dovecot: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			procs = append(procs, d.P)
			s = &server{name: name, dove: d, p: d.P, lmtpAddr: d.Addr("lmtp"), imapAddr: d.Addr("imap")}
			fmt.Printf("dovecot: %s %s, pid %d, IMAP on %s, LMTP on %s, maildir %s, mail_fsync=always\n",
				*dovecotBin, d.Version, d.P.Pid(), s.imapAddr, s.lmtpAddr, d.Maildir)
		}
		t0 := time.Now()
		if err := deliverAll(ctx, s.lmtpAddr, msgs, lmtpConns); err != nil {
			fmt.Printf("%s: FAILED to deliver the messages: %v\n", name, err)
			failed = true
			continue
		}
		took := time.Since(t0)
		uids, caps, err := inspect(s.imapAddr, len(msgs))
		if err != nil {
			fmt.Printf("%s: FAILED to check INBOX over IMAP: %v\n", name, err)
			failed = true
			continue
		}
		s.uids, s.caps = uids, caps
		fmt.Printf("%s: delivered %d messages over LMTP in %.1f s (%d connections); INBOX holds them, UIDs %d..%d; capabilities used: %s\n",
			name, len(msgs), took.Seconds(), lmtpConns, uids[0], uids[len(uids)-1], caps)
		srvs = append(srvs, s)
	}
	if len(srvs) == 0 {
		fmt.Println("no server to benchmark")
		return 1
	}

	mem := newMemTable()
	time.Sleep(time.Second) // let the servers settle after the deliveries
	idleLabel := fmt.Sprintf("idle: %d messages, no client", len(msgs))
	for _, s := range srvs {
		if m, err := s.memory(); err == nil {
			mem.add(idleLabel, s.name, m)
		}
	}

	if *warmup > 0 {
		fmt.Println()
		for _, s := range srvs {
			if ctx.Err() != nil {
				break
			}
			c := slices.Min(concs)
			r := runLoad(ctx, s.name, s.world(*size, *idleHold, "warmup"), c, *warmup, mix, runHooks{})
			status := "ok"
			if !r.ok() {
				status = "FAILED"
				failed = true
			}
			fmt.Printf("warmup %s: %d clients for %s, %d operations, %d errors (not counted): %s\n", s.name, c, *warmup, r.total(), r.errors(), status)
			printErrors(r)
			if !checkInbox(s, len(msgs)) {
				failed = true
			}
		}
	}

	for k, c := range concs {
		if ctx.Err() != nil {
			break
		}
		fmt.Printf("\n== %d clients, %s per server ==\n", c, *dur)
		// Alternate which server goes first, so that neither always runs
		// on the warmer (or more fragmented) machine.
		order := slices.Clone(srvs)
		if k%2 == 1 {
			slices.Reverse(order)
		}
		results := map[string]*runResult{}
		peakLabel := fmt.Sprintf("peak during the %d-client run", c)
		endLabel := fmt.Sprintf("end of the %d-client run, still logged in", c)
		for _, s := range order {
			if ctx.Err() != nil {
				break
			}
			if s.p.Exited() {
				fmt.Printf("%s: process has exited (%s); log:\n%s\n", s.name, s.p.ExitStatus(), s.p.LogTail(20))
				failed = true
				continue
			}
			sm := startSampler(s, *sampleEvery)
			var end memSample
			var endErr error
			var cpu0, cpu1, self0, self1 time.Duration
			var cpuErr error
			r := runLoad(ctx, s.name, s.world(*size, *idleHold, fmt.Sprintf("c%d", c)), c, *dur, mix, runHooks{
				start: func() {
					self0 = selfCPU()
					cpu0, cpuErr = s.cpu()
				},
				end: func() {
					self1 = selfCPU()
					var err error
					if cpu1, err = s.cpu(); err != nil {
						cpuErr = err
					}
					end, endErr = s.memory()
				},
			})
			peak, readings := sm.finish()
			if cpuErr == nil {
				r.serverCPU = cpu1 - cpu0
			}
			r.clientCPU = self1 - self0
			if endErr == nil {
				mem.add(peakLabel, s.name, peak.max(end))
				mem.add(endLabel, s.name, end)
			}
			results[s.name] = r
			status := "ok"
			if !r.ok() {
				status = "FAILED"
				failed = true
			}
			fmt.Printf("%s: %d clients, %d operations in %.2f s = %.1f ops/s, %d errors; CPU: server %.2f cores, load generator %.2f cores; %d memory readings: %s\n",
				s.name, c, r.total(), r.elapsed.Seconds(), r.totalRate(), r.errors(), r.cores(r.serverCPU), r.cores(r.clientCPU), readings+1, status)
			printErrors(r)
			if !checkInbox(s, len(msgs)) {
				failed = true
			}
		}
		printComparison(os.Stdout, results)
	}
	if ctx.Err() != nil {
		fmt.Println("interrupted")
		failed = true
	}

	time.Sleep(2 * time.Second) // Dovecot's imap processes exit after LOGOUT
	afterLabel := "idle after the runs, clients logged out"
	for _, s := range srvs {
		if s.p.Exited() {
			continue
		}
		if m, err := s.memory(); err == nil {
			mem.add(afterLabel, s.name, m)
		}
	}
	fmt.Println()
	mem.print(os.Stdout, srvs)
	for _, s := range srvs {
		if s.zest != nil && !s.p.Exited() {
			if hwm, err := harness.ProcStatusKB(s.p.Pid(), "VmHWM"); err == nil {
				fmt.Printf("zest peak VmHWM over the whole process run: %s\n", harness.FmtKB(hwm))
			}
		}
		if s.dove != nil {
			got, err := harness.CountMaildir(s.dove.Maildir)
			switch {
			case err != nil:
				fmt.Printf("dovecot maildir check: FAILED: %v\n", err)
				failed = true
			case got != len(msgs):
				fmt.Printf("dovecot maildir check: FAILED: %d files in new/+cur/, want the %d delivered (every APPEND expunged)\n", got, len(msgs))
				failed = true
			default:
				fmt.Printf("dovecot maildir check: OK, %d files in new/+cur/ = the %d delivered, every APPEND expunged\n", got, len(msgs))
			}
		}
	}

	// Stop the servers now (the deferred stop then has nothing left to do)
	// so that shutdown problems and Dovecot's logged errors are reported.
	for _, p := range procs {
		if err := p.Stop(15 * time.Second); err != nil {
			fmt.Printf("stopping %s: %v\n", p.Name, err)
			if slices.ContainsFunc(srvs, func(s *server) bool { return s.p == p }) {
				failed = true
			}
		}
	}
	procs = nil
	for _, s := range srvs {
		if s.dove == nil {
			continue
		}
		if probs := harness.LogProblems(s.dove.LogPath, 10); len(probs) > 0 {
			fmt.Println("dovecot.log errors:")
			for _, l := range probs {
				fmt.Println("  " + l)
			}
			failed = true
		}
	}
	if failed {
		fmt.Println("result: FAILED")
		return 1
	}
	fmt.Println("result: ok")
	return 0
}

// world returns what the clients of one run share; tag tells the run's
// APPENDed messages apart.
func (s *server) world(size int, idleHold time.Duration, tag string) *world {
	return &world{
		addr: s.imapAddr,
		uids: s.uids,
		gen: harness.MessageGen{
			To: harness.BenchUser, Tag: fmt.Sprintf("%s-%s-%d", s.name, tag, time.Now().UnixNano()),
			Size: size, Spacing: dateSpacing, AttachEvery: attachEvery,
		},
		now:      time.Now(),
		idleHold: idleHold,
	}
}

// selfCPU is the CPU time (user + system) this process, the load
// generator, has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// checkInbox checks that the mailbox is back to its delivered size after a
// run (every APPEND expunged), and says so when it is not.
func checkInbox(s *server, want int) bool {
	got, err := inboxSize(s.imapAddr)
	switch {
	case err != nil:
		fmt.Printf("%s: FAILED to check the INBOX size: %v\n", s.name, err)
		return false
	case got != want:
		fmt.Printf("%s: FAILED: INBOX holds %d messages after the run, want %d\n", s.name, got, want)
		return false
	}
	return true
}

func printErrors(r *runResult) {
	for _, e := range r.errs {
		fmt.Printf("    error: %s\n", e)
	}
	if n := r.errors(); n > len(r.errs) {
		fmt.Printf("    (%d errors in all)\n", n)
	}
}
