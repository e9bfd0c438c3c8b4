package main

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"zest/bench/internal/harness"
)

func TestMixTable(t *testing.T) {
	if got := totalWeight(mix); got != 100 {
		t.Fatalf("mix weights add up to %d, want 100 (they are printed as percentages)", got)
	}
	seen := map[string]bool{}
	for _, o := range mix {
		if o.name == "" || o.commands == "" || o.run == nil || o.weight <= 0 {
			t.Errorf("incomplete op %+v", o)
		}
		if seen[o.name] {
			t.Errorf("op %q twice", o.name)
		}
		seen[o.name] = true
	}
	for _, name := range []string{"select", "fetch-flags", "fetch-headers", "fetch-body", "store", "search", "append-expunge", "noop", "idle"} {
		if !seen[name] {
			t.Errorf("mix lacks %q", name)
		}
	}
}

func TestPicker(t *testing.T) {
	ops := []op{{name: "a", weight: 70}, {name: "b", weight: 0}, {name: "c", weight: 20}, {name: "d", weight: 10}}
	p := newPicker(ops)
	rng := rand.New(rand.NewPCG(1, 2))
	counts := make([]int, len(ops))
	const n = 200000
	for range n {
		counts[p.pick(rng)]++
	}
	if counts[1] != 0 {
		t.Fatalf("an op of weight 0 was picked %d times", counts[1])
	}
	for k, o := range ops {
		got := float64(counts[k]) / n * 100
		if d := got - float64(o.weight); d > 0.5 || d < -0.5 {
			t.Errorf("%s picked %.2f%% of the time, weight %d%%", o.name, got, o.weight)
		}
	}
	// The same seed gives the same sequence: both servers get the same mix.
	a, b := rand.New(rand.NewPCG(10, 3)), rand.New(rand.NewPCG(10, 3))
	for range 1000 {
		if p.pick(a) != p.pick(b) {
			t.Fatal("picks differ for the same seed")
		}
	}
}

func TestSearchKinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	names := map[string]bool{}
	for _, k := range searchKinds {
		names[k.name] = true
		for range 50 {
			c := k.criteria(rng, now)
			switch k.name {
			case "UNSEEN":
				if len(c.NotFlag) != 1 || c.NotFlag[0] != `\Seen` {
					t.Fatalf("UNSEEN: %+v", c)
				}
			case "FROM", "SUBJECT":
				if len(c.Header) != 1 || c.Header[0].Value == "" || !strings.EqualFold(c.Header[0].Key, k.name) {
					t.Fatalf("%s: %+v", k.name, c)
				}
			case "SINCE":
				if c.Since.After(now) || now.Sub(c.Since) > 14*24*time.Hour {
					t.Fatalf("SINCE %v, want within two weeks before %v", c.Since, now)
				}
			}
		}
	}
	if len(names) != 4 {
		t.Fatalf("search kinds %v", names)
	}
	if len(searchWords) < 10 {
		t.Fatalf("only %d subject search words", len(searchWords))
	}
}

func TestCRLFAndMessageID(t *testing.T) {
	msg := harness.MessageGen{To: harness.BenchUser, Tag: "t", Size: 1024}.Message(7)
	c := crlf(msg)
	if bytes.Count(c, []byte("\r\n")) != bytes.Count(msg, []byte("\n")) || bytes.Contains(bytes.ReplaceAll(c, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("crlf left a bare LF")
	}
	id := messageID(c)
	if !strings.HasPrefix(id, "<7.t.") || !strings.HasSuffix(id, "@bench.example.org>") {
		t.Fatalf("messageID %q", id)
	}
	if messageID([]byte("Subject: x\n\nMessage-ID: <body@x>\n")) != "" {
		t.Fatal("messageID read past the header")
	}
}

func fakeResult(server string, elapsed time.Duration, perOp ...[]time.Duration) *runResult {
	ops := []op{{name: "a", weight: 75}, {name: "b", weight: 25}}
	r := &runResult{server: server, ops: ops, elapsed: elapsed, lat: perOp, failed: make([]int, len(ops))}
	for _, l := range perOp {
		r.all = append(r.all, l...)
	}
	return r
}

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestRunResultFigures(t *testing.T) {
	r := fakeResult("zest", 2*time.Second, ms(1, 2, 3, 4), ms(10, 20))
	r.all = ms(1, 2, 3, 4, 10, 20)
	if r.total() != 6 || r.count(0) != 4 || r.rate(0) != 2 || r.totalRate() != 3 {
		t.Fatalf("counts/rates: total %d count %d rate %v total rate %v", r.total(), r.count(0), r.rate(0), r.totalRate())
	}
	if r.percentile(0, 0.5) != 2*time.Millisecond || r.percentile(1, 0.99) != 20*time.Millisecond || r.totalPercentile(0.5) != 3*time.Millisecond {
		t.Fatalf("percentiles %v %v %v", r.percentile(0, 0.5), r.percentile(1, 0.99), r.totalPercentile(0.5))
	}
	if !r.ok() || r.errors() != 0 {
		t.Fatal("a run without errors is not ok")
	}
	r.failed[1] = 2
	r.logoutErrors = 1
	if r.ok() || r.errors() != 3 {
		t.Fatalf("errors %d, ok %v", r.errors(), r.ok())
	}
	if (&runResult{ops: r.ops, lat: make([][]time.Duration, 2), failed: make([]int, 2)}).ok() {
		t.Fatal("a run without any operation is ok")
	}
}

func TestPrintComparison(t *testing.T) {
	z := fakeResult("zest", time.Second, ms(1, 1, 1, 1), ms(2, 2))
	d := fakeResult("dovecot", time.Second, ms(2, 2), nil)
	d.failed[1] = 1
	var b bytes.Buffer
	printComparison(&b, map[string]*runResult{"zest": z, "dovecot": d})
	out := b.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("want header, 2 ops, total, errors, footnote; got:\n%s", out)
	}
	for _, want := range []string{"zest ops/s", "dovecot ops/s", "ratio ops/s"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("header lacks %q: %s", want, lines[0])
		}
	}
	if f := strings.Fields(lines[1]); strings.Join(f, " ") != "a 75% 4.0 1.00 ms 1.00 ms 2.0 2.00 ms 2.00 ms 2.00x 0.50x 0.50x" {
		t.Errorf("row a: %q", lines[1])
	}
	if f := strings.Fields(lines[2]); strings.Join(f, " ") != "b 25% 2.0 2.00 ms 2.00 ms 0.0 - - - - -" {
		t.Errorf("row b: %q", lines[2])
	}
	if f := strings.Fields(lines[4]); strings.Join(f, " ") != "errors 0 1" {
		t.Errorf("errors row: %q", lines[4])
	}

	z.serverCPU, d.serverCPU = 600*time.Millisecond, 1200*time.Millisecond
	b.Reset()
	printComparison(&b, map[string]*runResult{"zest": z, "dovecot": d})
	if !strings.Contains(b.String(), "server CPU: zest 0.60 cores, 100.00 ms per operation; dovecot 1.20 cores, 600.00 ms per operation (ratio per operation 0.17x)") {
		t.Errorf("CPU line missing or wrong:\n%s", b.String())
	}

	b.Reset()
	printComparison(&b, map[string]*runResult{"dovecot": d})
	if head := strings.SplitN(b.String(), "\n", 2)[0]; strings.Contains(b.String(), "zest") || strings.Contains(head, "ratio") {
		t.Errorf("one server printed zest or ratio columns:\n%s", b.String())
	}
}

func TestMemTable(t *testing.T) {
	m := newMemTable()
	m.add("idle", "zest", memSample{proc: harness.ProcMem{RSSKB: 20480, AnonKB: 10240}})
	m.add("idle", "dovecot", memSample{tree: harness.TreeMem{Procs: 6, RSSKB: 30720, PSSKB: 12288}})
	m.add("peak", "dovecot", memSample{tree: harness.TreeMem{Procs: 56, RSSKB: 307200, PSSKB: 61440}})
	var b bytes.Buffer
	m.print(&b, []*server{{name: "dovecot"}, {name: "zest"}})
	lines := strings.Split(b.String(), "\n")
	if !strings.HasPrefix(lines[0], "memory") || strings.Index(lines[0], "zest VmRSS") > strings.Index(lines[0], "dovecot RSS sum") {
		t.Fatalf("header (zest's columns first): %q", lines[0])
	}
	if f := strings.Fields(lines[1]); strings.Join(f, " ") != "idle 20.0 MiB 10.0 MiB 30.0 MiB 12.0 MiB 6" {
		t.Errorf("idle row: %q", lines[1])
	}
	if f := strings.Fields(lines[2]); strings.Join(f, " ") != "peak - - 300.0 MiB 60.0 MiB 56" {
		t.Errorf("peak row: %q", lines[2])
	}
}

func TestMemSampleMax(t *testing.T) {
	a := memSample{proc: harness.ProcMem{RSSKB: 5, AnonKB: 1}, tree: harness.TreeMem{Procs: 3, RSSKB: 1, PSSKB: 9}}
	b := memSample{proc: harness.ProcMem{RSSKB: 2, AnonKB: 4}, tree: harness.TreeMem{Procs: 1, RSSKB: 7, PSSKB: 2}}
	want := memSample{proc: harness.ProcMem{RSSKB: 5, AnonKB: 4}, tree: harness.TreeMem{Procs: 3, RSSKB: 7, PSSKB: 9}}
	if got := a.max(b); got != want {
		t.Fatalf("max %+v, want %+v", got, want)
	}
}
