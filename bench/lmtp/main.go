// Command lmtp benchmarks durable LMTP delivery, zest against Dovecot, side
// by side on this machine. See bench/README.md.
//
//	go run ./bench/lmtp [-n 5000] [-c 1,8] [-servers zest,dovecot]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"zest/bench/internal/harness"
)

func main() { os.Exit(run()) }

// target is a running server under test.
type target struct {
	name string
	addr string
	p    *harness.Process
}

func run() int {
	n := flag.Int("n", 5000, "messages to deliver per server and concurrency")
	concList := flag.String("c", "1,8", "comma-separated list of concurrencies (parallel LMTP connections)")
	serverList := flag.String("servers", "zest,dovecot", "servers to run, comma-separated: zest, dovecot")
	size := flag.Int("size", 4096, "approximate message size in bytes")
	limit := flag.Duration("timeout", 10*time.Minute, "time limit for each run (one server at one concurrency)")
	dovecotBin := flag.String("dovecot", harness.DefaultDovecot, "Dovecot master binary")
	tmpParent := flag.String("tmpdir", "", "where to create the temp dir (default $TMPDIR or /tmp); must be a real disk for fsync to mean anything")
	keep := flag.Bool("keep", false, "keep the temp dir (configs, logs, data) instead of removing it")
	flag.Parse()

	concs, err := harness.ParseConcs(*concList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/lmtp: -c:", err)
		return 2
	}
	servers, err := harness.ParseServers(*serverList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/lmtp: -servers:", err)
		return 2
	}
	if *n < 1 || *size < 512 {
		fmt.Fprintln(os.Stderr, "bench/lmtp: need -n >= 1 and -size >= 512")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Printf("# zest LMTP delivery benchmark\n")
	fmt.Printf("command: %s\n", harness.CommandLine("./bench/lmtp"))
	fmt.Printf("settings: -n %d -c %s -servers %s -size %d -timeout %s\n", *n, harness.JoinInts(concs), strings.Join(servers, ","), *size, *limit)
	fmt.Printf("host: %s/%s, %d CPUs, %s; load generator in the same machine\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())

	tmp, err := os.MkdirTemp(*tmpParent, "zest-bench-lmtp-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/lmtp:", err)
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
		fmt.Printf("WARNING: %s has no real fsync; durable delivery is not measured. Use -tmpdir on a disk.\n", fs)
	}

	failed := false
	var targets []*target
	var zest *harness.Zest
	var dove *harness.Dovecot
	defer func() {
		for _, t := range targets {
			if err := t.p.Stop(15 * time.Second); err != nil {
				fmt.Fprintf(os.Stderr, "stopping %s: %v\n", t.name, err)
			}
		}
	}()

	for _, name := range servers {
		switch name {
		case "zest":
			z, err := harness.StartZest(ctx, tmp, "lmtp")
			if err != nil {
				fmt.Printf("zest: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			zest = z
			targets = append(targets, &target{name: "zest", addr: z.Addr("lmtp"), p: z.P})
			fmt.Printf("zest: %s, LMTP on %s, pid %d\n", z.Bin, z.Addr("lmtp"), z.P.Pid())
		case "dovecot":
			if _, err := os.Stat(*dovecotBin); err != nil {
				fmt.Printf("dovecot: NOT INSTALLED (%s missing): apt-get install dovecot-lmtpd dovecot-core; skipping Dovecot\n", *dovecotBin)
				if len(servers) == 1 {
					failed = true
				}
				continue
			}
			d, err := harness.StartDovecot(ctx, harness.DovecotOptions{
				Binary: *dovecotBin, Tmp: tmp, Protocols: []string{"lmtp"}, Generator: "bench/lmtp",
			})
			if err != nil {
				fmt.Printf("dovecot: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			dove = d
			targets = append(targets, &target{name: "dovecot", addr: d.Addr("lmtp"), p: d.P})
			fmt.Printf("dovecot: %s %s, LMTP on %s, pid %d, maildir %s, mail_fsync=always\n", *dovecotBin, d.Version, d.Addr("lmtp"), d.P.Pid(), d.Maildir)
		}
	}
	if len(targets) == 0 {
		fmt.Println("no server to benchmark")
		return 1
	}

	// Let both servers settle, then take the idle memory figures.
	time.Sleep(time.Second)
	if zest != nil {
		if kb, err := harness.RSSKB(zest.P.Pid()); err == nil {
			fmt.Printf("zest RSS idle before load: %s\n", harness.FmtKB(kb))
		}
	}
	if dove != nil {
		if m, err := harness.TreeMemory(dove.P.Pid()); err == nil {
			fmt.Printf("dovecot RSS idle before load: %s\n", m)
		}
	}

	fmt.Println()
	table := harness.NewTable(os.Stdout,
		harness.Column{Head: "conc", Width: 5},
		harness.Column{Head: "server", Width: 13, Left: true, Gap: 2},
		harness.Column{Head: "msgs/s", Width: 10, Gap: 1},
		harness.Column{Head: "p50", Width: 10, Gap: 1},
		harness.Column{Head: "p99", Width: 10, Gap: 1},
		harness.Column{Head: "delivered", Left: true, Gap: 2},
	)
	table.Header()
	delivered := map[string]int{}
	for k, c := range concs {
		// Alternate which server goes first, so that neither always runs
		// on the warmer (or more fragmented) machine.
		order := slices.Clone(targets)
		if k%2 == 1 {
			slices.Reverse(order)
		}
		results := map[string]*runResult{}
		for _, t := range order {
			if ctx.Err() != nil {
				break
			}
			if t.p.Exited() {
				fmt.Printf("%5d  %-13s process has exited (%s); log:\n%s\n", c, t.name, t.p.ExitStatus(), t.p.LogTail(20))
				failed = true
				continue
			}
			r := runLoad(ctx, t.name, t.addr, *n, c, *size, *limit)
			results[t.name] = r
			delivered[t.name] += r.delivered
			status := ""
			if !r.ok() {
				failed = true
				status = fmt.Sprintf("  FAILED: %d errors, %d not sent", r.failed+r.setupErrors, r.notSent)
			}
			table.Row(strconv.Itoa(c), t.name, fmt.Sprintf("%.1f", r.rate()),
				harness.FmtDur(r.percentile(0.50)), harness.FmtDur(r.percentile(0.99)), fmt.Sprintf("%d/%d%s", r.delivered, r.want, status))
			for _, e := range r.errs {
				fmt.Printf("%5s  %-13s   error: %s\n", "", "", e)
			}
		}
		zr, dr := results["zest"], results["dovecot"]
		if zr != nil && dr != nil && dr.rate() > 0 && zr.rate() > 0 {
			table.Row(strconv.Itoa(c), "zest/dovecot", fmt.Sprintf("%.2fx", zr.rate()/dr.rate()),
				fmt.Sprintf("%.2fx", harness.Ratio(zr.percentile(0.5), dr.percentile(0.5))),
				fmt.Sprintf("%.2fx", harness.Ratio(zr.percentile(0.99), dr.percentile(0.99))),
				"(msgs/s: higher is better for zest; latency: lower is)")
		}
	}
	if ctx.Err() != nil {
		fmt.Println("interrupted")
		failed = true
	}

	fmt.Println()
	if zest != nil && !zest.P.Exited() {
		if kb, err := harness.RSSKB(zest.P.Pid()); err == nil {
			hwm, _ := harness.ProcStatusKB(zest.P.Pid(), "VmHWM")
			fmt.Printf("zest RSS after the runs: %s (peak VmHWM %s)\n", harness.FmtKB(kb), harness.FmtKB(hwm))
		}
	}
	if dove != nil && !dove.P.Exited() {
		if m, err := harness.TreeMemory(dove.P.Pid()); err == nil {
			fmt.Printf("dovecot RSS after the runs: %s\n", m)
		}
	}
	if zest != nil {
		fmt.Printf("zest: %d messages delivered with a 2xx reply in this process run\n", delivered["zest"])
	}
	if dove != nil {
		got, err := harness.CountMaildir(dove.Maildir)
		switch {
		case err != nil:
			fmt.Printf("dovecot maildir check: FAILED: %v\n", err)
			failed = true
		case got != delivered["dovecot"]:
			fmt.Printf("dovecot maildir check: FAILED: %d files in new/+cur/, %d messages acknowledged\n", got, delivered["dovecot"])
			failed = true
		default:
			fmt.Printf("dovecot maildir check: OK, %d files in new/+cur/ = %d messages acknowledged\n", got, delivered["dovecot"])
		}
	}

	// Stop the servers now (the deferred stop then has nothing left to do)
	// so that shutdown problems and Dovecot's logged errors are reported.
	for _, t := range targets {
		if err := t.p.Stop(15 * time.Second); err != nil {
			fmt.Printf("stopping %s: %v\n", t.name, err)
			failed = true
		}
	}
	targets = nil
	if dove != nil {
		if probs := harness.LogProblems(dove.LogPath, 10); len(probs) > 0 {
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
