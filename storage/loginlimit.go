package storage

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// LoginLimiter slows and then stops login attempts from an address that
// keeps failing, so passwords cannot be guessed at network speed. The store
// keeps one for every protocol (LoginLimiter), so an address cannot get
// more tries by switching from IMAP to ManageSieve.
type LoginLimiter struct {
	mu    sync.Mutex
	fails map[netip.Addr]*loginFailures
	unit  time.Duration // the delay per recent failure
}

type loginFailures struct {
	count int
	last  time.Time
}

// MaxLoginFailures is how many recent failures an address may have
// before it must wait.
const MaxLoginFailures = maxLoginFailures

const (
	maxLoginFailures    = 10               // then the address waits
	loginFailureWindow  = 15 * time.Minute // after which failures are forgotten
	maxLoginFailureWait = 5 * time.Second
)

// NewLoginLimiter returns a limiter that delays the answer to a failed
// login by unit for each recent failure of the address (at most 5 s).
func NewLoginLimiter(unit time.Duration) *LoginLimiter {
	return &LoginLimiter{fails: map[netip.Addr]*loginFailures{}, unit: unit}
}

// SetDelayUnit changes the delay per failure (tests use 0).
func (l *LoginLimiter) SetDelayUnit(unit time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unit = unit
}

// Allow reports whether addr may try a login now, or how long it must wait.
func (l *LoginLimiter) Allow(addr netip.Addr) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[addr]
	if f == nil || time.Since(f.last) > loginFailureWindow {
		return 0, true
	}
	if f.count >= maxLoginFailures {
		return loginFailureWindow - time.Since(f.last), false
	}
	return 0, true
}

// Failed records a failure and returns how long to delay the answer.
func (l *LoginLimiter) Failed(addr netip.Addr) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100000 {
		for a, f := range l.fails {
			if time.Since(f.last) > loginFailureWindow {
				delete(l.fails, a)
			}
		}
	}
	f := l.fails[addr]
	if f == nil || time.Since(f.last) > loginFailureWindow {
		f = &loginFailures{}
		l.fails[addr] = f
	}
	f.count++
	f.last = time.Now()
	return min(time.Duration(f.count)*l.unit, maxLoginFailureWait)
}

// Succeeded forgets addr's failures.
func (l *LoginLimiter) Succeeded(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, addr)
}

// LoginLimiter returns the store's limiter, shared by every protocol.
func (s *Store) LoginLimiter() *LoginLimiter { return s.logins }

// LoginBlockedError refuses a login from an address with too many recent
// failures, whatever the password.
type LoginBlockedError struct{ Wait time.Duration }

func (e *LoginBlockedError) Error() string {
	return fmt.Sprintf("too many failed logins from this address; try again in %s", e.Wait.Round(time.Second))
}

// Login is Authenticate (account or app password) for a client at remote,
// under the login limiter every protocol shares: a *LoginBlockedError while
// the address must wait,
// and, after a failure (ErrBadCredentials or ErrAccountDisabled), a pause
// that grows with the address's recent failures, so passwords cannot be
// guessed at network speed.
func (s *Store) Login(ctx context.Context, remote netip.Addr, username, password string) (*Account, error) {
	return s.login(ctx, remote, username, password, true)
}

// AuthenticatePrimary is Login for the web sign-in: it accepts only the
// account password, never an app password, so a password kept in a mail
// client cannot open the page that manages passwords. It shares Login's
// limiter, so the web gives no extra guesses.
func (s *Store) AuthenticatePrimary(ctx context.Context, remote netip.Addr, username, password string) (*Account, error) {
	return s.login(ctx, remote, username, password, false)
}

func (s *Store) login(ctx context.Context, remote netip.Addr, username, password string, apps bool) (*Account, error) {
	if wait, ok := s.logins.Allow(remote); !ok {
		return nil, &LoginBlockedError{Wait: wait}
	}
	a, err := s.authenticate(ctx, username, password, apps)
	switch {
	case errors.Is(err, ErrBadCredentials), errors.Is(err, ErrAccountDisabled):
		s.LoginRefused(ctx, remote)
		return nil, err
	case err != nil:
		return nil, err // the store failed: not the client's fault
	}
	s.logins.Succeeded(remote)
	return a, nil
}

// LoginRefused counts a failed login from remote that never reached the
// password check (a malformed SASL exchange) and pauses like Login does
// after a wrong password.
func (s *Store) LoginRefused(ctx context.Context, remote netip.Addr) {
	t := time.NewTimer(s.logins.Failed(remote))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
