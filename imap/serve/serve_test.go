package serve

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// session ends when asked, unless stubborn, in which case only Close ends it.
type session struct {
	stubborn bool
	asked    atomic.Bool
	end      chan struct{}
	closed   atomic.Bool
}

func (s *session) Serve() { <-s.end }
func (s *session) Shutdown() {
	s.asked.Store(true)
	if !s.stubborn {
		close(s.end)
	}
}
func (s *session) Close() {
	if s.closed.CompareAndSwap(false, true) && s.stubborn {
		close(s.end)
	}
}

func TestShutdownAsksThenCloses(t *testing.T) {
	for _, stubborn := range []bool{false, true} {
		var g Group
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		started := make(chan *session, 1)
		served := make(chan error, 1)
		go func() {
			served <- g.Serve(l, func(nc net.Conn) Session {
				s := &session{stubborn: stubborn, end: make(chan struct{})}
				started <- s
				return s
			})
		}()
		nc, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		s := <-started
		time.Sleep(20 * time.Millisecond) // let the session be registered
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err = g.Shutdown(ctx)
		cancel()
		if !s.asked.Load() {
			t.Errorf("stubborn=%v: the session was not asked to end", stubborn)
		}
		if stubborn != s.closed.Load() {
			t.Errorf("stubborn=%v: closed=%v", stubborn, s.closed.Load())
		}
		if stubborn != errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("stubborn=%v: Shutdown = %v", stubborn, err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve after Shutdown = %v", err)
		}
		if err := g.Shutdown(context.Background()); !errors.Is(err, ErrServerClosed) {
			t.Errorf("second Shutdown = %v", err)
		}
	}
}
