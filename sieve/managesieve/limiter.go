package managesieve

import (
	"net/netip"
	"sync"
	"time"
)

// authLimiter slows and then stops login attempts from an address that
// keeps failing, so passwords cannot be guessed at network speed. It
// follows the IMAP server's rules.
type authLimiter struct {
	mu    sync.Mutex
	fails map[netip.Addr]*failures
	unit  time.Duration // the delay per recent failure
}

type failures struct {
	count int
	last  time.Time
}

const (
	maxFailures    = 10               // then the address waits
	failureWindow  = 15 * time.Minute // after which failures are forgotten
	maxFailureWait = 5 * time.Second
)

func newAuthLimiter(unit time.Duration) *authLimiter {
	return &authLimiter{fails: map[netip.Addr]*failures{}, unit: unit}
}

// allow reports whether addr may try a login now, or how long it must wait.
func (l *authLimiter) allow(addr netip.Addr) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[addr]
	if f == nil || time.Since(f.last) > failureWindow {
		return 0, true
	}
	if f.count >= maxFailures {
		return failureWindow - time.Since(f.last), false
	}
	return 0, true
}

// failed records a failure and returns how long to delay the answer.
func (l *authLimiter) failed(addr netip.Addr) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100000 {
		for a, f := range l.fails {
			if time.Since(f.last) > failureWindow {
				delete(l.fails, a)
			}
		}
	}
	f := l.fails[addr]
	if f == nil || time.Since(f.last) > failureWindow {
		f = &failures{}
		l.fails[addr] = f
	}
	f.count++
	f.last = time.Now()
	return min(time.Duration(f.count)*l.unit, maxFailureWait)
}

func (l *authLimiter) succeeded(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, addr)
}
