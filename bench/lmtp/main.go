// Command lmtp benchmarks durable LMTP delivery, zest against Dovecot, side
// by side on this machine. See bench/README.md.
//
//	go run ./bench/lmtp [-n 5000] [-c 1,8] [-servers zest,dovecot]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() { os.Exit(run()) }

// target is a running server under test.
type target struct {
	name string
	addr string
	p    *process
}

func run() int {
	n := flag.Int("n", 5000, "messages to deliver per server and concurrency")
	concList := flag.String("c", "1,8", "comma-separated list of concurrencies (parallel LMTP connections)")
	serverList := flag.String("servers", "zest,dovecot", "servers to run, comma-separated: zest, dovecot")
	size := flag.Int("size", 4096, "approximate message size in bytes")
	limit := flag.Duration("timeout", 10*time.Minute, "time limit for each run (one server at one concurrency)")
	dovecotBin := flag.String("dovecot", "/usr/sbin/dovecot", "Dovecot master binary")
	tmpParent := flag.String("tmpdir", "", "where to create the temp dir (default $TMPDIR or /tmp); must be a real disk for fsync to mean anything")
	keep := flag.Bool("keep", false, "keep the temp dir (configs, logs, data) instead of removing it")
	flag.Parse()

	concs, err := parseConcs(*concList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/lmtp: -c:", err)
		return 2
	}
	servers, err := parseServers(*serverList)
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
	fmt.Printf("command: %s\n", commandLine())
	fmt.Printf("settings: -n %d -c %s -servers %s -size %d -timeout %s\n", *n, joinInts(concs), strings.Join(servers, ","), *size, *limit)
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
	fs := fsType(tmp)
	fmt.Printf("temp dir filesystem: %s\n", fs)
	if fs == "tmpfs" || fs == "ramfs" {
		fmt.Printf("WARNING: %s has no real fsync; durable delivery is not measured. Use -tmpdir on a disk.\n", fs)
	}

	failed := false
	var targets []*target
	var zest *zestServer
	var dove *dovecotServer
	defer func() {
		for _, t := range targets {
			if err := t.p.stop(15 * time.Second); err != nil {
				fmt.Fprintf(os.Stderr, "stopping %s: %v\n", t.name, err)
			}
		}
	}()

	for _, name := range servers {
		switch name {
		case "zest":
			z, err := startZest(ctx, tmp)
			if err != nil {
				fmt.Printf("zest: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			zest = z
			targets = append(targets, &target{name: "zest", addr: z.addr, p: z.p})
			fmt.Printf("zest: %s, LMTP on %s, pid %d\n", z.bin, z.addr, z.p.pid())
		case "dovecot":
			if _, err := os.Stat(*dovecotBin); err != nil {
				fmt.Printf("dovecot: NOT INSTALLED (%s missing): apt-get install dovecot-lmtpd dovecot-core; skipping Dovecot\n", *dovecotBin)
				if len(servers) == 1 {
					failed = true
				}
				continue
			}
			d, err := startDovecot(ctx, *dovecotBin, tmp)
			if err != nil {
				fmt.Printf("dovecot: FAILED to set up: %v\n", err)
				failed = true
				continue
			}
			dove = d
			targets = append(targets, &target{name: "dovecot", addr: d.addr, p: d.p})
			fmt.Printf("dovecot: %s %s, LMTP on %s, pid %d, maildir %s, mail_fsync=always\n", *dovecotBin, d.version, d.addr, d.p.pid(), d.maildir)
		}
	}
	if len(targets) == 0 {
		fmt.Println("no server to benchmark")
		return 1
	}

	// Let both servers settle, then take the idle memory figures.
	time.Sleep(time.Second)
	if zest != nil {
		if kb, err := rssKB(zest.p.pid()); err == nil {
			fmt.Printf("zest RSS idle before load: %s\n", fmtKB(kb))
		}
	}
	if dove != nil {
		if m, err := treeMemory(dove.p.pid()); err == nil {
			fmt.Printf("dovecot RSS idle before load: %s\n", m)
		}
	}

	fmt.Println()
	fmt.Printf("%5s  %-13s %10s %10s %10s  %s\n", "conc", "server", "msgs/s", "p50", "p99", "delivered")
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
			if t.p.exited() {
				fmt.Printf("%5d  %-13s process has exited (%s); log:\n%s\n", c, t.name, exitText(t.p.waitErr), t.p.logTail(20))
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
			fmt.Printf("%5d  %-13s %10.1f %10s %10s  %d/%d%s\n", c, t.name, r.rate(),
				fmtDur(r.percentile(0.50)), fmtDur(r.percentile(0.99)), r.delivered, r.want, status)
			for _, e := range r.errs {
				fmt.Printf("%5s  %-13s   error: %s\n", "", "", e)
			}
		}
		zr, dr := results["zest"], results["dovecot"]
		if zr != nil && dr != nil && dr.rate() > 0 && zr.rate() > 0 {
			fmt.Printf("%5d  %-13s %9.2fx %9.2fx %9.2fx  (msgs/s: higher is better for zest; latency: lower is)\n", c, "zest/dovecot",
				zr.rate()/dr.rate(), ratio(zr.percentile(0.5), dr.percentile(0.5)), ratio(zr.percentile(0.99), dr.percentile(0.99)))
		}
	}
	if ctx.Err() != nil {
		fmt.Println("interrupted")
		failed = true
	}

	fmt.Println()
	if zest != nil && !zest.p.exited() {
		if kb, err := rssKB(zest.p.pid()); err == nil {
			hwm, _ := procStatusKB(zest.p.pid(), "VmHWM")
			fmt.Printf("zest RSS after the runs: %s (peak VmHWM %s)\n", fmtKB(kb), fmtKB(hwm))
		}
	}
	if dove != nil && !dove.p.exited() {
		if m, err := treeMemory(dove.p.pid()); err == nil {
			fmt.Printf("dovecot RSS after the runs: %s\n", m)
		}
	}
	if zest != nil {
		fmt.Printf("zest: %d messages delivered with a 2xx reply in this process run\n", delivered["zest"])
	}
	if dove != nil {
		got, err := countMaildir(dove.maildir)
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
		if err := t.p.stop(15 * time.Second); err != nil {
			fmt.Printf("stopping %s: %v\n", t.name, err)
			failed = true
		}
	}
	targets = nil
	if dove != nil {
		if probs := logProblems(dove.logPath, 10); len(probs) > 0 {
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

func parseConcs(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 || v > 1000 {
			return nil, fmt.Errorf("bad concurrency %q (want 1..1000)", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}

func parseServers(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.ToLower(f))
		switch f {
		case "":
			continue
		case "zest", "dovecot":
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		default:
			return nil, fmt.Errorf("unknown server %q (want zest, dovecot)", f)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// commandLine reconstructs the command that started this run. Under
// `go run` the binary lives in a temporary build dir, so it shows
// `go run <package dir>` instead.
func commandLine() string {
	args := make([]string, 0, len(os.Args)+2)
	exe := os.Args[0]
	if strings.Contains(exe, "go-build") {
		pkg := "./bench/lmtp"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path != "" && strings.HasPrefix(bi.Path, bi.Main.Path) {
			if root, err := moduleRoot(context.Background()); err == nil {
				dir := filepath.Join(root, strings.TrimPrefix(bi.Path, bi.Main.Path))
				if wd, err := os.Getwd(); err == nil {
					if rel, err := filepath.Rel(wd, dir); err == nil {
						pkg = rel
						if !strings.HasPrefix(pkg, ".") {
							pkg = "./" + pkg
						}
					}
				}
			}
		}
		args = append(args, "go", "run", pkg)
	} else {
		args = append(args, exe)
	}
	for _, a := range os.Args[1:] {
		args = append(args, shellQuote(a))
	}
	return strings.Join(args, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/=:@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fsType names the filesystem holding path, for the few kinds that matter
// to an fsync benchmark.
func fsType(path string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return "unknown"
	}
	switch uint64(st.Type) {
	case 0x01021994:
		return "tmpfs"
	case 0x858458f6:
		return "ramfs"
	case 0xef53:
		return "ext2/3/4"
	case 0x58465342:
		return "xfs"
	case 0x9123683e:
		return "btrfs"
	case 0x794c7630:
		return "overlayfs"
	case 0x2fc12fc1:
		return "zfs"
	case 0xf2f52010:
		return "f2fs"
	}
	return fmt.Sprintf("0x%x", uint64(st.Type))
}
