package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"zest/bench/internal/harness"
)

// columnOrder is the order of the servers' columns, whatever order they ran in.
var columnOrder = []string{"zest", "dovecot"}

func percent(weight, total int) string {
	return fmt.Sprintf("%.0f%%", 100*float64(weight)/float64(total))
}

func totalWeight(ops []op) int {
	t := 0
	for _, o := range ops {
		t += o.weight
	}
	return t
}

// printMix prints the weight table of the mix.
func printMix(ops []op, idleHold time.Duration) {
	fmt.Printf("mix: after LOGIN and SELECT INBOX, each client picks its next operation at random with these weights until the time is up (-idle %s):\n", idleHold)
	t := harness.NewTable(os.Stdout,
		harness.Column{Head: "weight", Width: 8},
		harness.Column{Head: "op", Width: 15, Left: true, Gap: 2},
		harness.Column{Head: "commands", Left: true, Gap: 1},
	)
	t.Header()
	total := totalWeight(ops)
	for _, o := range ops {
		t.Row(percent(o.weight, total), o.name, o.commands)
	}
}

func fmtLat(d time.Duration, n int) string {
	if n == 0 {
		return "-"
	}
	return harness.FmtDur(d)
}

func fmtRatio(a, b float64) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

// printComparison prints one concurrency's results: per op of the mix and in
// total, each server's ops/s, p50 and p99, then the ratio zest/dovecot.
func printComparison(w io.Writer, results map[string]*runResult) {
	var rs []*runResult
	for _, name := range columnOrder {
		if r := results[name]; r != nil {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return
	}
	ops := rs[0].ops
	cols := []harness.Column{{Head: "op", Width: 15, Left: true}, {Head: "weight", Width: 6, Gap: 1}}
	for _, r := range rs {
		cols = append(cols,
			harness.Column{Head: r.server + " ops/s", Width: max(10, len(r.server)+6), Gap: 3},
			harness.Column{Head: "p50", Width: 10, Gap: 1},
			harness.Column{Head: "p99", Width: 10, Gap: 1})
	}
	both := len(rs) == 2
	if both {
		cols = append(cols,
			harness.Column{Head: "ratio ops/s", Width: 11, Gap: 3},
			harness.Column{Head: "p50", Width: 6, Gap: 1},
			harness.Column{Head: "p99", Width: 6, Gap: 1})
	}
	t := harness.NewTable(w, cols...)
	t.Header()
	total := totalWeight(ops)
	for k, o := range ops {
		row := []string{o.name, percent(o.weight, total)}
		for _, r := range rs {
			row = append(row, fmt.Sprintf("%.1f", r.rate(k)), fmtLat(r.percentile(k, 0.5), r.count(k)), fmtLat(r.percentile(k, 0.99), r.count(k)))
		}
		if both {
			z, d := rs[0], rs[1]
			row = append(row, fmtRatio(z.rate(k), d.rate(k)),
				fmtRatio(float64(z.percentile(k, 0.5)), float64(d.percentile(k, 0.5))),
				fmtRatio(float64(z.percentile(k, 0.99)), float64(d.percentile(k, 0.99))))
		}
		t.Row(row...)
	}
	row := []string{"total", "100%"}
	for _, r := range rs {
		row = append(row, fmt.Sprintf("%.1f", r.totalRate()), fmtLat(r.totalPercentile(0.5), r.total()), fmtLat(r.totalPercentile(0.99), r.total()))
	}
	if both {
		z, d := rs[0], rs[1]
		row = append(row, fmtRatio(z.totalRate(), d.totalRate()),
			fmtRatio(float64(z.totalPercentile(0.5)), float64(d.totalPercentile(0.5))),
			fmtRatio(float64(z.totalPercentile(0.99)), float64(d.totalPercentile(0.99))))
	}
	t.Row(row...)
	row = []string{"errors", ""}
	for _, r := range rs {
		row = append(row, strconv.Itoa(r.errors()), "", "")
	}
	t.Row(row...)
	var cpu []string
	for _, r := range rs {
		if r.serverCPU > 0 {
			cpu = append(cpu, fmt.Sprintf("%s %.2f cores, %s per operation", r.server, r.cores(r.serverCPU), harness.FmtDur(r.cpuPerOp())))
		}
	}
	if len(cpu) > 0 {
		line := "server CPU: " + strings.Join(cpu, "; ")
		if both && rs[0].serverCPU > 0 && rs[1].serverCPU > 0 {
			line += fmt.Sprintf(" (ratio per operation %s)", fmtRatio(float64(rs[0].cpuPerOp()), float64(rs[1].cpuPerOp())))
		}
		fmt.Fprintln(w, line)
	}
	if both {
		fmt.Fprintln(w, "ratio = zest/dovecot: above 1 in ops/s and below 1 in latency and CPU favour zest")
	}
}

// memTable collects memory readings by moment and server.
type memTable struct {
	labels []string
	vals   map[string]map[string]memSample
}

func newMemTable() *memTable { return &memTable{vals: map[string]map[string]memSample{}} }

func (t *memTable) add(label, server string, m memSample) {
	if t.vals[label] == nil {
		t.labels = append(t.labels, label)
		t.vals[label] = map[string]memSample{}
	}
	t.vals[label][server] = m
}

func (t *memTable) print(w io.Writer, srvs []*server) {
	var names []string
	for _, name := range columnOrder {
		for _, s := range srvs {
			if s.name == name {
				names = append(names, name)
			}
		}
	}
	width := len("memory")
	for _, l := range t.labels {
		width = max(width, len(l))
	}
	cols := []harness.Column{{Head: "memory", Width: width, Left: true}}
	for _, name := range names {
		if name == "zest" {
			cols = append(cols, harness.Column{Head: "zest VmRSS", Width: 11, Gap: 3}, harness.Column{Head: "RssAnon", Width: 10, Gap: 1})
		} else {
			cols = append(cols, harness.Column{Head: "dovecot RSS sum", Width: 15, Gap: 3}, harness.Column{Head: "PSS sum", Width: 10, Gap: 1}, harness.Column{Head: "procs", Width: 5, Gap: 1})
		}
	}
	tb := harness.NewTable(w, cols...)
	tb.Header()
	for _, l := range t.labels {
		row := []string{l}
		for _, name := range names {
			m, ok := t.vals[l][name]
			switch {
			case !ok && name == "zest":
				row = append(row, "-", "-")
			case !ok:
				row = append(row, "-", "-", "-")
			case name == "zest":
				row = append(row, harness.FmtKB(m.proc.RSSKB), harness.FmtKB(m.proc.AnonKB))
			default:
				row = append(row, harness.FmtKB(m.tree.RSSKB), harness.FmtKB(m.tree.PSSKB), strconv.Itoa(m.tree.Procs))
			}
		}
		tb.Row(row...)
	}
	for _, name := range names {
		if name == "zest" {
			fmt.Fprintln(w, "zest: one process, VmRSS and RssAnon from /proc/<pid>/status.")
		} else {
			fmt.Fprintln(w, "dovecot: the master and all its children; VmRSS summed (pages shared between processes, libdovecot and the code, count once per process) and Pss summed from smaps_rollup (shared pages divided among their users).")
		}
	}
	fmt.Fprintln(w, "A peak is the highest reading of each column during the run (readings every -sample, and one at the end), not necessarily from one moment.")
}
