// Package serve runs the accept loop and the graceful shutdown of zest's
// own protocol servers (IMAP and ManageSieve): it tracks the listeners and
// the live sessions, asks every session to end when the server stops, and
// closes what is left when the caller's deadline passes.
package serve

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// ErrServerClosed is returned by Serve and Shutdown after Shutdown.
var ErrServerClosed = errors.New("server closed")

// Session is one connection's session.
type Session interface {
	// Serve runs the session until it ends.
	Serve()
	// Shutdown asks the session to end at the next point its protocol
	// allows; it must not block.
	Shutdown()
	// Close ends the session now (the shutdown deadline passed).
	Close()
}

// Group is the set of listeners and sessions of one server.
type Group struct {
	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	sessions  map[Session]struct{}
	closing   bool
	wg        sync.WaitGroup
}

// Serve accepts connections on l until Shutdown, running newSession's
// session for each; it always returns an error, ErrServerClosed after
// Shutdown. Temporary accept errors are retried with a growing pause.
func (g *Group) Serve(l net.Listener, newSession func(net.Conn) Session) error {
	g.mu.Lock()
	if g.closing {
		g.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	if g.listeners == nil {
		g.listeners, g.sessions = map[net.Listener]struct{}{}, map[Session]struct{}{}
	}
	g.listeners[l] = struct{}{}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.listeners, l)
		g.mu.Unlock()
	}()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			g.mu.Lock()
			closing := g.closing
			g.mu.Unlock()
			if closing {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		s := newSession(nc)
		g.mu.Lock()
		if g.closing {
			g.mu.Unlock()
			nc.Close()
			continue
		}
		g.sessions[s] = struct{}{}
		g.wg.Add(1)
		g.mu.Unlock()
		go func() {
			defer g.wg.Done()
			s.Serve()
			g.mu.Lock()
			delete(g.sessions, s)
			g.mu.Unlock()
		}()
	}
}

// Shutdown stops accepting, asks every session to end, and waits for them
// until ctx is done; then it closes the sessions left and returns ctx's
// error. A second Shutdown returns ErrServerClosed.
func (g *Group) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	if g.closing {
		g.mu.Unlock()
		return ErrServerClosed
	}
	g.closing = true
	for l := range g.listeners {
		l.Close()
	}
	for s := range g.sessions {
		s.Shutdown()
	}
	g.mu.Unlock()
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		for s := range g.sessions {
			s.Close()
		}
		g.mu.Unlock()
		<-done
		return ctx.Err()
	}
}
