package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"zest/bench/internal/harness"
)

// world is what the clients of one server share; read-only during a run.
type world struct {
	addr     string
	uids     []imap.UID         // the UIDs of the delivered messages, ascending; never expunged
	gen      harness.MessageGen // builds the APPENDed messages (Tag tells the runs apart)
	now      time.Time          // SINCE dates count back from it
	idleHold time.Duration      // how long an IDLE lasts
}

// session is one client: one connection, logged in with INBOX selected.
type session struct {
	// c is the connection, nil once closed. Only the session's own
	// goroutine sets it, under mu; kill reads it under mu.
	mu sync.Mutex
	c  *imapclient.Client

	w       *world
	rng     *rand.Rand
	id      string // in the Message-IDs of its APPENDs
	appends int

	uidplus bool // UIDPLUS (or IMAP4rev2): APPENDUID and UID EXPUNGE
	idleCap bool
}

// overstay is how long after the end of its time a run may still be waiting
// for replies before every connection is closed (each read also has
// imapclient's own 30 s timeout).
const overstay = 60 * time.Second

// dialIMAP connects to addr and logs in as the bench user. If the plain
// connection advertises LOGINDISABLED, it starts over with STARTTLS (the
// certificate is not checked: loopback, and zest's is self-signed).
func dialIMAP(addr string) (c *imapclient.Client, usedTLS bool, err error) {
	opts := &imapclient.Options{Dialer: &net.Dialer{Timeout: 10 * time.Second}}
	c, err = imapclient.DialInsecure(addr, opts)
	if err != nil {
		return nil, false, err
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, false, fmt.Errorf("greeting: %w", err)
	}
	if c.Caps().Has(imap.CapLoginDisabled) {
		c.Close()
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: true}
		if c, err = imapclient.DialStartTLS(addr, opts); err != nil {
			return nil, true, fmt.Errorf("STARTTLS: %w", err)
		}
		usedTLS = true
	}
	if err := c.Login(harness.BenchUser, harness.BenchPassword).Wait(); err != nil {
		c.Close()
		return nil, usedTLS, fmt.Errorf("LOGIN: %w", err)
	}
	return c, usedTLS, nil
}

// connect opens the session's connection: LOGIN, CAPABILITY, SELECT INBOX.
func (s *session) connect() error {
	c, _, err := dialIMAP(s.w.addr)
	if err != nil {
		return err
	}
	caps := c.Caps()
	s.mu.Lock()
	s.c = c
	s.mu.Unlock()
	s.uidplus = caps.Has(imap.CapUIDPlus)
	s.idleCap = caps.Has(imap.CapIdle)
	if _, err := s.selectInbox(); err != nil {
		s.closeConn()
		return fmt.Errorf("SELECT INBOX: %w", err)
	}
	return nil
}

// kill closes the connection from another goroutine: the operation in
// progress fails and the session's goroutine sees the error.
func (s *session) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		s.c.Close()
	}
}

// closeConn closes the connection; only the session's own goroutine calls it.
func (s *session) closeConn() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		s.c.Close()
		s.c = nil
	}
}

// runResult is the outcome of one run: one server, one concurrency.
type runResult struct {
	server  string
	conc    int
	ops     []op
	elapsed time.Duration
	lat     [][]time.Duration // per op of the mix, sorted: one per operation that succeeded
	all     []time.Duration   // every latency, sorted
	failed  []int             // per op: operations that got an error
	// setupErrors counts clients that could not log in and select, and
	// reconnections that failed; logoutErrors failed LOGOUTs.
	setupErrors, logoutErrors int
	errs                      []string // the first few errors, with their op
	// serverCPU and clientCPU are the CPU time the server and the load
	// generator used during the measured time (0 when unknown).
	serverCPU, clientCPU time.Duration
}

func (r *runResult) count(k int) int { return len(r.lat[k]) }

func (r *runResult) total() int { return len(r.all) }

// errors is the number of every kind of error in the run.
func (r *runResult) errors() int {
	n := r.setupErrors + r.logoutErrors
	for _, f := range r.failed {
		n += f
	}
	return n
}

func (r *runResult) ok() bool { return r.errors() == 0 && r.total() > 0 }

func (r *runResult) perSecond(n int) float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(n) / r.elapsed.Seconds()
}

// cores is a CPU time over the run's elapsed time: 1.0 is one core busy.
func (r *runResult) cores(cpu time.Duration) float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return cpu.Seconds() / r.elapsed.Seconds()
}

// cpuPerOp is the server's CPU time per operation.
func (r *runResult) cpuPerOp() time.Duration {
	if r.total() == 0 {
		return 0
	}
	return r.serverCPU / time.Duration(r.total())
}

func (r *runResult) rate(k int) float64 { return r.perSecond(r.count(k)) }

func (r *runResult) totalRate() float64 { return r.perSecond(r.total()) }

func (r *runResult) percentile(k int, p float64) time.Duration {
	return harness.Percentile(r.lat[k], p)
}

func (r *runResult) totalPercentile(p float64) time.Duration {
	return harness.Percentile(r.all, p)
}

// runHooks are called at the edges of a run's measured time, while every
// client is logged in: start just before the clock starts, end just after
// the last client has stopped. Either may be nil.
type runHooks struct {
	start, end func()
}

// runLoad logs conc clients in to w.addr (before the clock starts), then lets
// each loop over ops, picked by weight, for dur. When the time is up every
// client finishes the operation it is in, then they log out.
func runLoad(ctx context.Context, server string, w *world, conc int, dur time.Duration, ops []op, hooks runHooks) *runResult {
	res := &runResult{server: server, conc: conc, ops: ops, lat: make([][]time.Duration, len(ops)), failed: make([]int, len(ops))}
	var mu sync.Mutex
	addErr := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(res.errs) < 8 {
			res.errs = append(res.errs, fmt.Sprintf(format, a...))
		}
	}

	sessions := make([]*session, 0, conc)
	for i := range conc {
		s := &session{w: w, rng: rand.New(rand.NewPCG(uint64(conc), uint64(i))), id: fmt.Sprintf("c%d-w%d", conc, i)}
		if err := s.connect(); err != nil {
			res.setupErrors++
			addErr("client %d: %v", i, err)
			continue
		}
		sessions = append(sessions, s)
	}
	if len(sessions) == 0 {
		return res
	}

	// Close every connection if the run overstays its time or is
	// interrupted, so that no client waits for a reply for ever.
	closeAll := func() {
		for _, s := range sessions {
			s.kill()
		}
	}
	stopOnCancel := context.AfterFunc(ctx, closeAll)
	defer stopOnCancel()
	watchdog := time.AfterFunc(dur+overstay, closeAll)
	defer watchdog.Stop()

	pick := newPicker(ops)
	lats := make([][][]time.Duration, len(sessions))
	failed := make([][]int, len(sessions))
	var wg sync.WaitGroup
	if hooks.start != nil {
		hooks.start()
	}
	start := time.Now()
	deadline := start.Add(dur)
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make([][]time.Duration, len(ops))
			fails := make([]int, len(ops))
			defer func() { lats[i], failed[i] = own, fails }()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				k := pick.pick(s.rng)
				d, err := ops[k].run(s)
				if err == nil {
					own[k] = append(own[k], d)
					continue
				}
				fails[k]++
				addErr("%s: %v", ops[k].name, err)
				// Go on with a fresh connection so that a broken session
				// does not poison the following operations.
				s.closeConn()
				if ctx.Err() != nil || !time.Now().Before(deadline) {
					break
				}
				if err := s.connect(); err != nil {
					mu.Lock()
					res.setupErrors++
					mu.Unlock()
					addErr("reconnect: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	watchdog.Stop()
	if hooks.end != nil {
		hooks.end()
	}
	for _, s := range sessions {
		if s.c == nil {
			continue // lost after an error, already counted
		}
		if err := s.c.Logout().Wait(); err != nil && ctx.Err() == nil {
			res.logoutErrors++
			addErr("LOGOUT: %v", err)
		}
		s.closeConn()
	}

	for k := range ops {
		for i := range lats {
			res.lat[k] = append(res.lat[k], lats[i][k]...)
			res.failed[k] += failed[i][k]
		}
		slices.Sort(res.lat[k])
		res.all = append(res.all, res.lat[k]...)
	}
	slices.Sort(res.all)
	return res
}
