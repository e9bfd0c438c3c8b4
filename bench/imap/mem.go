package main

import (
	"time"

	"zest/bench/internal/harness"
)

// memSample is one reading of a server's memory: proc for zest (one
// process), tree for Dovecot (master and every child).
type memSample struct {
	proc harness.ProcMem
	tree harness.TreeMem
}

func (m memSample) max(o memSample) memSample {
	return memSample{proc: m.proc.Max(o.proc), tree: m.tree.Max(o.tree)}
}

// sampler reads a server's memory every interval until stopped and keeps
// the peak of each figure.
type sampler struct {
	stop chan struct{}
	done chan struct{}
	peak memSample
	n    int // readings taken
}

func startSampler(s *server, every time.Duration) *sampler {
	sm := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(sm.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if m, err := s.memory(); err == nil {
				sm.peak = sm.peak.max(m)
				sm.n++
			}
			select {
			case <-sm.stop:
				return
			case <-t.C:
			}
		}
	}()
	return sm
}

// finish stops the sampler and returns the peak and the number of readings.
func (sm *sampler) finish() (memSample, int) {
	close(sm.stop)
	<-sm.done
	return sm.peak, sm.n
}
