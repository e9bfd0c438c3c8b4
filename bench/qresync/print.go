package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"zest/bench/internal/harness"
)

// memSample is one reading of a server's memory: proc for zest (one
// process), tree for Dovecot (master and every child).
type memSample struct {
	proc harness.ProcMem
	tree harness.TreeMem
	ok   bool
}

func (m memSample) max(o memSample) memSample {
	return memSample{proc: m.proc.Max(o.proc), tree: m.tree.Max(o.tree), ok: m.ok || o.ok}
}

// memReadings are the moments the benchmark reads memory at.
type memReadings struct {
	idle   memSample // set up, no client yet
	synced memSample // after the first full sync
	peak   memSample // the highest reading after each repetition
	end    memSample // a second after the last repetition
}

func (s *server) memory() memSample {
	var m memSample
	var err error
	if s.zest != nil {
		m.proc, err = harness.ProcessMemory(s.p.Pid())
	} else {
		m.tree, err = harness.TreeMemory(s.p.Pid())
	}
	m.ok = err == nil
	return m
}

func median[T cmp.Ordered](v []T) T {
	var zero T
	if len(v) == 0 {
		return zero
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// figures are the medians of one server's resyncs one way.
type figures struct {
	n                  int
	cmds               int
	in, out            int64
	wall, wMin, wMax   time.Duration
	ownRatio           float64 // bytes in ÷ the changes' own size, median over repetitions
	inPerOwnRepetition []float64
}

func summarise(ms []measure, own []int) figures {
	f := figures{n: len(ms)}
	if len(ms) == 0 {
		return f
	}
	var cmds []int
	var in, out []int64
	var walls []time.Duration
	var ratios []float64
	for i, m := range ms {
		cmds = append(cmds, m.use.cmds)
		in = append(in, m.use.in)
		out = append(out, m.use.out)
		walls = append(walls, m.wall)
		if i < len(own) && own[i] > 0 {
			ratios = append(ratios, float64(m.use.in)/float64(own[i]))
		}
	}
	f.cmds, f.in, f.out, f.wall = median(cmds), median(in), median(out), median(walls)
	f.wMin, f.wMax = slices.Min(walls), slices.Max(walls)
	f.ownRatio = median(ratios)
	f.inPerOwnRepetition = ratios
	return f
}

// target is how close zest's QRESYNC answer must come to the changes' own
// size: within 10%.
const target = 1.10

func printResults(w io.Writer, srvs []*server, n, nFlags, nExpunge int) {
	fmt.Fprintf(w, "== catching up after %d flag changes and %d expunges in a %d-message INBOX ==\n", nFlags, nExpunge, n)
	fmt.Fprintf(w, "medians over the repetitions; bytes and commands of the resync alone (LOGIN before it and LOGOUT after it not counted); wall time at the client on loopback\n")
	tb := harness.NewTable(w,
		harness.Column{Head: "server", Width: 8, Left: true},
		harness.Column{Head: "way", Width: 8, Left: true, Gap: 2},
		harness.Column{Head: "reps", Width: 4, Gap: 1},
		harness.Column{Head: "cmds", Width: 4, Gap: 2},
		harness.Column{Head: "bytes in", Width: 10, Gap: 2},
		harness.Column{Head: "bytes out", Width: 9, Gap: 2},
		harness.Column{Head: "wall p50", Width: 11, Gap: 2},
		harness.Column{Head: "min", Width: 11, Gap: 1},
		harness.Column{Head: "max", Width: 11, Gap: 1},
		harness.Column{Head: "own size", Width: 8, Gap: 2},
		harness.Column{Head: "in÷own", Width: 7, Gap: 2},
	)
	tb.Header()
	for _, s := range srvs {
		qr, full := summarise(s.qr, s.qrOwn), summarise(s.full, s.fullOwn)
		if qr.n > 0 {
			tb.Row(s.name, "QRESYNC", strconv.Itoa(qr.n), strconv.Itoa(qr.cmds), strconv.FormatInt(qr.in, 10), strconv.FormatInt(qr.out, 10),
				harness.FmtDur(qr.wall), harness.FmtDur(qr.wMin), harness.FmtDur(qr.wMax), strconv.Itoa(median(s.qrOwn)), fmt.Sprintf("%.2f", qr.ownRatio))
		} else {
			tb.Row(s.name, "QRESYNC", "0", "  not measured: "+clipString(s.noQresync))
		}
		if full.n > 0 {
			tb.Row(s.name, "full", strconv.Itoa(full.n), strconv.Itoa(full.cmds), strconv.FormatInt(full.in, 10), strconv.FormatInt(full.out, 10),
				harness.FmtDur(full.wall), harness.FmtDur(full.wMin), harness.FmtDur(full.wMax), strconv.Itoa(median(s.fullOwn)), fmt.Sprintf("%.0f", full.ownRatio))
		} else {
			tb.Row(s.name, "full", "0")
		}
	}
	fmt.Fprintf(w, "own size: the changes' own size, the smallest answer that describes them: %d `* <seq> FETCH (UID <uid> FLAGS (<flags>) MODSEQ (<modseq>))`\n"+
		"  lines and one `* VANISHED (EARLIER) <uids>` line, with the server's own numbers and flags; in÷own: bytes received ÷ own size\n", nFlags)
	fmt.Fprintf(w, "first sync (SELECT, UID FETCH 1:* (UID FLAGS MODSEQ), not part of the resync):")
	for i, s := range srvs {
		if i > 0 {
			fmt.Fprint(w, ";")
		}
		fmt.Fprintf(w, " %s %d bytes in, %s", s.name, s.first.use.in, harness.FmtDur(s.first.wall))
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w)
	for _, s := range srvs {
		qr, full := summarise(s.qr, s.qrOwn), summarise(s.full, nil)
		switch {
		case qr.n == 0:
			fmt.Fprintf(w, "%s: QRESYNC not measured: %s\n", s.name, s.noQresync)
		default:
			verdict := ""
			if s.zest != nil {
				verdict = fmt.Sprintf(" (target ≤ %.2f: met)", target)
				if qr.ownRatio > target {
					verdict = fmt.Sprintf(" (target ≤ %.2f: MISSED)", target)
				}
			}
			fmt.Fprintf(w, "%s: QRESYNC received %.2f× the changes' own size%s; per repetition:", s.name, qr.ownRatio, verdict)
			for _, r := range qr.inPerOwnRepetition {
				fmt.Fprintf(w, " %.2f", r)
			}
			fmt.Fprintln(w)
			if full.n > 0 && qr.in > 0 && qr.wall > 0 {
				fmt.Fprintf(w, "%s: QRESYNC vs full resync: %.0f× fewer bytes received, %.1f× less time\n",
					s.name, float64(full.in)/float64(qr.in), float64(full.wall)/float64(qr.wall))
			}
		}
	}
	var z, d *server
	for _, s := range srvs {
		if s.zest != nil {
			z = s
		} else {
			d = s
		}
	}
	if z != nil && d != nil {
		for _, way := range []struct {
			name   string
			zm, dm []measure
		}{{"QRESYNC", z.qr, d.qr}, {"full resync", z.full, d.full}} {
			zf, df := summarise(way.zm, nil), summarise(way.dm, nil)
			if zf.n == 0 || df.n == 0 {
				continue
			}
			fmt.Fprintf(w, "zest/dovecot, %s: bytes received %.2fx, wall time %.2fx (below 1 favours zest)\n",
				way.name, float64(zf.in)/float64(df.in), harness.Ratio(zf.wall, df.wall))
		}
	}
}

func printMemory(w io.Writer, srvs []*server) {
	fmt.Fprintln(w)
	tb := harness.NewTable(w,
		harness.Column{Head: "memory", Width: 42, Left: true},
		harness.Column{Head: "zest VmRSS", Width: 10, Gap: 1},
		harness.Column{Head: "RssAnon", Width: 10, Gap: 1},
		harness.Column{Head: "dovecot RSS sum", Width: 15, Gap: 3},
		harness.Column{Head: "PSS sum", Width: 10, Gap: 1},
		harness.Column{Head: "procs", Width: 5, Gap: 1},
	)
	tb.Header()
	row := func(label string, pick func(memReadings) memSample) {
		cells := []string{label, "", "", "", "", ""}
		for _, s := range srvs {
			m := pick(s.mem)
			if !m.ok {
				continue
			}
			if s.zest != nil {
				cells[1], cells[2] = harness.FmtKB(m.proc.RSSKB), harness.FmtKB(m.proc.AnonKB)
			} else {
				cells[3], cells[4], cells[5] = harness.FmtKB(m.tree.RSSKB), harness.FmtKB(m.tree.PSSKB), strconv.Itoa(m.tree.Procs)
			}
		}
		tb.Row(cells...)
	}
	row("idle: mailbox loaded, no client yet", func(m memReadings) memSample { return m.idle })
	row("after the first full sync", func(m memReadings) memSample { return m.synced })
	row("highest reading after a repetition", func(m memReadings) memSample { return m.peak })
	row("idle a second after the last repetition", func(m memReadings) memSample { return m.end })
	fmt.Fprintln(w, "zest: one process, VmRSS and RssAnon from /proc/<pid>/status; dovecot: the master and all its children, VmRSS and Pss summed.")
	for _, s := range srvs {
		if s.zest != nil && !s.p.Exited() {
			if hwm, err := harness.ProcStatusKB(s.p.Pid(), "VmHWM"); err == nil {
				fmt.Fprintf(w, "zest peak VmHWM since zest serve started (after the import): %s\n", harness.FmtKB(hwm))
			}
		}
	}
}
