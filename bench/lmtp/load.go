package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

const (
	benchRcpt   = "bench@bench.local"
	benchSender = "sender@example.org"
)

// vocabulary for the deterministic message bodies: plain English words of
// varied length so that lines wrap at different places.
var vocabulary = strings.Fields(`
the a an of to in and or but for with on at by from about into over after
before under between through during without within along across behind
meeting report budget schedule server mailbox delivery message review draft
invoice project quarter garden kitchen weekend holiday train station ticket
photo album concert coffee lunch dinner family friend neighbour weather rain
sunshine morning evening tomorrow yesterday Monday Tuesday Wednesday Thursday
Friday please thanks regards attached below above updated revised confirmed
cancelled postponed important reminder question answer problem solution idea
proposal agreement contract payment receipt order shipment package address
phone number password account backup restore upgrade install configure test
result analysis summary detail chapter section paragraph sentence word letter
`)

var firstNames = []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Oscar", "Peggy", "Trent", "Victor", "Walter"}

// baseDate is the Date of message 0; message i is dated i*37 seconds later.
var baseDate = time.Date(2024, time.March, 4, 9, 30, 0, 0, time.FixedZone("", 3600))

// makeMessage builds message i of a run deterministically: the same i always
// gives the same headers (apart from the run tag in Message-ID) and body. The
// result uses bare LF line endings; go-smtp's DATA writer turns them into
// CRLF and does the dot-stuffing.
func makeMessage(i int, tag string, size int) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	name := firstNames[rng.IntN(len(firstNames))]
	var b strings.Builder
	b.Grow(size + 512)
	fmt.Fprintf(&b, "From: %s <%s.%d@example.org>\n", name, strings.ToLower(name), i%97)
	fmt.Fprintf(&b, "To: Bench <%s>\n", benchRcpt)
	fmt.Fprintf(&b, "Subject: %s\n", sentence(rng, 3+rng.IntN(6)))
	fmt.Fprintf(&b, "Date: %s\n", baseDate.Add(time.Duration(i)*37*time.Second).Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.%s.%08x@bench.example.org>\n", i, tag, rng.Uint32())
	b.WriteString("MIME-Version: 1.0\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\n")
	b.WriteString("Content-Transfer-Encoding: 7bit\n")
	b.WriteString("\n")
	fmt.Fprintf(&b, "Hello %s,\n\n", firstNames[rng.IntN(len(firstNames))])
	capNext := true
	for b.Len() < size-80 {
		// A line of 30..72 characters; sentences end at some line ends.
		want := 30 + rng.IntN(43)
		line := make([]byte, 0, want+16)
		for len(line) < want {
			if len(line) > 0 {
				line = append(line, ' ')
			}
			word := vocabulary[rng.IntN(len(vocabulary))]
			if capNext {
				word = strings.ToUpper(word[:1]) + word[1:]
				capNext = false
			}
			line = append(line, word...)
		}
		if rng.IntN(3) == 0 {
			line = append(line, '.')
			capNext = true
		}
		b.Write(line)
		b.WriteByte('\n')
		if rng.IntN(6) == 0 {
			b.WriteByte('\n') // paragraph break
		}
	}
	fmt.Fprintf(&b, "\nRegards,\n%s\n", name)
	return []byte(b.String())
}

func sentence(rng *rand.Rand, words int) string {
	w := make([]string, words)
	for i := range w {
		w[i] = vocabulary[rng.IntN(len(vocabulary))]
	}
	s := strings.Join(w, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

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
	n := len(r.lat)
	if n == 0 {
		return 0
	}
	k := int(float64(n)*p+0.999999999) - 1
	k = max(0, min(k, n-1))
	return r.lat[k]
}

type lmtpConn struct {
	c *smtp.Client
}

func dialLMTP(addr string) (*lmtpConn, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c := smtp.NewClientLMTP(conn)
	c.CommandTimeout = 30 * time.Second
	c.SubmissionTimeout = 60 * time.Second
	if err := c.Hello("bench-client.local"); err != nil {
		c.Close()
		return nil, fmt.Errorf("LHLO: %w", err)
	}
	return &lmtpConn{c: c}, nil
}

// deliver runs one LMTP transaction: MAIL, RCPT, DATA, and reads the
// per-recipient reply. Only a 2xx reply for the recipient is a success.
func (l *lmtpConn) deliver(msg []byte) error {
	if err := l.c.Mail(benchSender, nil); err != nil {
		return fmt.Errorf("MAIL: %w", err)
	}
	if err := l.c.Rcpt(benchRcpt, nil); err != nil {
		return fmt.Errorf("RCPT: %w", err)
	}
	w, err := l.c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA write: %w", err)
	}
	resp, err := w.CloseWithLMTPResponse()
	if err != nil {
		// go-smtp expects exactly 250; accept any other 2xx per-recipient reply.
		var lerr smtp.LMTPDataError
		if errors.As(err, &lerr) {
			if e, ok := lerr[benchRcpt]; ok && e.Code/100 == 2 && len(lerr) == 1 {
				return nil
			}
		}
		return fmt.Errorf("end of DATA: %w", err)
	}
	if _, ok := resp[benchRcpt]; !ok {
		return errors.New("end of DATA: no reply for the recipient")
	}
	return nil
}

func (l *lmtpConn) close() {
	_ = l.c.Quit()
	_ = l.c.Close()
}

// runLoad delivers n messages to addr over conc persistent connections, one
// message per transaction, and times each delivery. Messages are built before
// the clock starts. limit bounds the whole run.
func runLoad(ctx context.Context, server, addr string, n, conc, size int, limit time.Duration) *runResult {
	res := &runResult{server: server, conc: conc, want: n}
	tag := fmt.Sprintf("%s-c%d-%d", server, conc, time.Now().UnixNano())
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = makeMessage(i, tag, size)
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
	conns := make([]*lmtpConn, 0, conc)
	for range conc {
		c, err := dialLMTP(addr)
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
				err := c.deliver(msgs[i])
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
				c.close()
				nc, err := dialLMTP(addr)
				if err != nil {
					addErr(fmt.Errorf("reconnect: %w", err))
					return
				}
				c = nc
			}
			c.close()
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
