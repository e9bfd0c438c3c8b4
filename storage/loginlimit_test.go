package storage

import (
	"net/netip"
	"testing"
	"time"
)

// An address that keeps failing is slowed, then made to wait; a success
// forgets its failures. The store hands every protocol the same limiter,
// so switching protocol gives no new tries.
func TestLoginLimiter(t *testing.T) {
	s := newTestStore(t)
	l := s.LoginLimiter()
	if l != s.LoginLimiter() {
		t.Fatal("the store's protocols would not share one limiter")
	}
	addr := netip.MustParseAddr("192.0.2.7")
	other := netip.MustParseAddr("192.0.2.8")
	var delays []time.Duration
	for range MaxLoginFailures {
		if _, ok := l.Allow(addr); !ok {
			t.Fatal("refused before the limit")
		}
		delays = append(delays, l.Failed(addr))
	}
	if delays[0] <= 0 || delays[len(delays)-1] <= delays[0] {
		t.Errorf("delays %v: want growing delays", delays)
	}
	if wait, ok := l.Allow(addr); ok || wait <= 0 {
		t.Errorf("after %d failures: allowed=%v wait=%v", MaxLoginFailures, ok, wait)
	}
	if _, ok := l.Allow(other); !ok {
		t.Error("another address was refused")
	}
	l.Succeeded(addr)
	if _, ok := l.Allow(addr); !ok {
		t.Error("still refused after a success")
	}
}
