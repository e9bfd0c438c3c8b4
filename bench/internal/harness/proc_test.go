package harness

import (
	"os"
	"testing"
	"time"
)

func TestProcessFigures(t *testing.T) {
	pid := os.Getpid()
	m, err := ProcessMemory(pid)
	if err != nil || m.RSSKB <= 0 || m.AnonKB <= 0 || m.AnonKB > m.RSSKB {
		t.Fatalf("ProcessMemory: %+v, %v", m, err)
	}
	tree, err := TreeMemory(pid)
	if err != nil || tree.Procs < 1 || tree.RSSKB < m.RSSKB/2 {
		t.Fatalf("TreeMemory: %+v, %v", tree, err)
	}
	// Burn some CPU, then both counters must have moved.
	c0, err := ProcessCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for t0 := time.Now(); time.Since(t0) < 100*time.Millisecond; x++ {
	}
	c1, _ := ProcessCPU(pid)
	tc, err := TreeCPU(pid)
	if err != nil || c1 <= c0 || tc < c1 {
		t.Fatalf("CPU %v then %v, tree %v (%v), after %d loops", c0, c1, tc, err, x)
	}
}
