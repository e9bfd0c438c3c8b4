package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"zest/bench/internal/harness"
)

// runResult is the outcome of one load run against one server.
type runResult struct {
	server      string
	conc        int
	want        int
	delivered   int // messages with a 2xx reply for the recipient
	failed      int // messages that got an error (any stage)
	notSent     int // messages never attempted (time limit, or workers lost)
	elapsed     time.Duration
	lat         []time.Duration // sorted, one per delivered message
	errs        []string        // first few errors
	setupErrors int
}

func (r *runResult) ok() bool {
	return r.delivered == r.want && r.failed == 0 && r.notSent == 0 && r.setupErrors == 0
}

func (r *runResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.delivered) / r.elapsed.Seconds()
}

// percentile returns the nearest-rank p-quantile (0 < p <= 1) of the sorted
// latencies.
func (r *runResult) percentile(p float64) time.Duration {
	return harness.Percentile(r.lat, p)
}

// runLoad delivers n messages to addr over conc persistent connections, one
// message per transaction, and times each delivery. Messages are built before
// the clock starts. limit bounds the whole run.
func runLoad(ctx context.Context, server, addr string, n, conc, size int, limit time.Duration) *runResult {
	res := &runResult{server: server, conc: conc, want: n}
	tag := fmt.Sprintf("%s-c%d-%d", server, conc, time.Now().UnixNano())
	gen := harness.MessageGen{To: harness.BenchUser, Tag: tag, Size: size}
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = gen.Message(i)
	}

	var mu sync.Mutex
	addErr := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if len(res.errs) < 5 {
			res.errs = append(res.errs, err.Error())
		}
	}

	// Connect every worker before the clock starts.
	conns := make([]*harness.LMTPConn, 0, conc)
	for range conc {
		c, err := harness.DialLMTP(addr)
		if err != nil {
			res.setupErrors++
			addErr(fmt.Errorf("connect: %w", err))
			continue
		}
		conns = append(conns, c)
	}
	if len(conns) == 0 {
		res.notSent = n
		return res
	}

	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var next, delivered, failed atomic.Int64
	lats := make([][]time.Duration, len(conns))
	var wg sync.WaitGroup
	start := time.Now()
	for w, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make([]time.Duration, 0, n/len(conns)+1)
			defer func() { lats[w] = own }()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				t0 := time.Now()
				err := c.Deliver(harness.BenchSender, harness.BenchUser, msgs[i])
				d := time.Since(t0)
				if err == nil {
					own = append(own, d)
					delivered.Add(1)
					continue
				}
				failed.Add(1)
				addErr(fmt.Errorf("message %d: %w", i, err))
				// Start over on a fresh connection so that a broken
				// session does not poison the following messages.
				c.Close()
				nc, err := harness.DialLMTP(addr)
				if err != nil {
					addErr(fmt.Errorf("reconnect: %w", err))
					return
				}
				c = nc
			}
			c.Close()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.delivered = int(delivered.Load())
	res.failed = int(failed.Load())
	res.notSent = n - res.delivered - res.failed
	if ctx.Err() != nil && res.notSent > 0 {
		addErr(fmt.Errorf("stopped (%v, limit %s) with %d messages not sent", context.Cause(ctx), limit, res.notSent))
	}
	for _, l := range lats {
		res.lat = append(res.lat, l...)
	}
	slices.Sort(res.lat)
	return res
}
