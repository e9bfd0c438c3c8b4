package smtp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// registry tracks the open connections of a Server: it enforces the
// connection limits and carries out the shutdown.
type registry struct {
	hostname     string
	max, perIP   int
	readTimeout  time.Duration
	writeTimeout time.Duration

	mu        sync.Mutex
	shutting  bool
	total     int
	byIP      map[string]int
	conns     map[*trackedConn]struct{}
	listeners map[net.Listener]struct{}
}

func newRegistry(cfg Config) *registry {
	return &registry{
		hostname:     cfg.Hostname,
		max:          cfg.MaxConnections,
		perIP:        cfg.MaxConnectionsPerIP,
		readTimeout:  cfg.ReadTimeout,
		writeTimeout: cfg.WriteTimeout,
		byIP:         make(map[string]int),
		conns:        make(map[*trackedConn]struct{}),
		listeners:    make(map[net.Listener]struct{}),
	}
}

// Replies sent outside any session, before go-smtp's greeting.
const (
	replyTooMany      = "421 4.7.0 %s Too many connections, try again later\r\n"
	replyTooManyFrom  = "421 4.7.0 %s Too many connections from your address, try again later\r\n"
	replyShuttingDown = "421 4.3.2 %s Service shutting down, try again later\r\n"
)

// admit registers a new connection, or returns the reply that refuses it.
func (r *registry) admit(c net.Conn, ro role) (*trackedConn, string) {
	ip := ipKey(c.RemoteAddr())
	limitIP := ro == roleMX && ip != ""
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.shutting:
		return nil, replyShuttingDown
	case r.total >= r.max:
		return nil, replyTooMany
	case limitIP && r.byIP[ip] >= r.perIP:
		return nil, replyTooManyFrom
	}
	tc := &trackedConn{Conn: c, reg: r}
	tc.top = tc
	if limitIP {
		tc.ip = ip
		r.byIP[ip]++
	}
	r.total++
	r.conns[tc] = struct{}{}
	return tc, ""
}

func (r *registry) release(c *trackedConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[c]; !ok {
		return
	}
	delete(r.conns, c)
	r.total--
	if c.ip != "" {
		if r.byIP[c.ip]--; r.byIP[c.ip] <= 0 {
			delete(r.byIP, c.ip)
		}
	}
}

func (r *registry) isShuttingDown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shutting
}

// shutdown marks the server as shutting down, closes the listeners, and
// says goodbye to every connection that is not inside a transaction; the
// others are told when their transaction ends (see endTxn). It reports
// false if the server was already shutting down.
func (r *registry) shutdown() bool {
	r.mu.Lock()
	if r.shutting {
		r.mu.Unlock()
		return false
	}
	r.shutting = true
	var idle []*trackedConn
	for c := range r.conns {
		if !c.busy && !c.leaving {
			c.leaving = true
			idle = append(idle, c)
		}
	}
	for l := range r.listeners {
		l.Close()
	}
	r.mu.Unlock()
	for _, c := range idle {
		// A client that does not read could block the write until
		// WriteTimeout; Shutdown's deadline closes it in any case.
		go c.goodbye()
	}
	return true
}

// closeAll closes every connection still open.
func (r *registry) closeAll() {
	r.mu.Lock()
	all := make([]*trackedConn, 0, len(r.conns))
	for c := range r.conns {
		c.leaving = true
		all = append(all, c)
	}
	r.mu.Unlock()
	for _, c := range all {
		c.Close()
	}
}

// ipKey is the client address that MaxConnectionsPerIP counts: the IPv4
// address, or the /64 of an IPv6 address (one host usually owns a whole
// /64). It is "" for other kinds of connection, such as Unix sockets.
func ipKey(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return ""
	}
	if v4 := ta.IP.To4(); v4 != nil {
		return v4.String()
	}
	return ta.IP.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// limitListener admits connections through the registry.
type limitListener struct {
	net.Listener
	reg        *registry
	role       role
	registered bool // guarded by reg.mu
}

func (l *limitListener) Accept() (net.Conn, error) {
	// Registered, Shutdown closes the listener even if it began serving
	// after go-smtp's Shutdown had closed the ones it knew.
	l.reg.mu.Lock()
	shutting := l.reg.shutting
	if !shutting && !l.registered {
		l.registered = true
		l.reg.listeners[l.Listener] = struct{}{}
	}
	l.reg.mu.Unlock()
	if shutting {
		l.Listener.Close()
		return nil, net.ErrClosed
	}
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		tc, refusal := l.reg.admit(c, l.role)
		if tc != nil {
			return tc, nil
		}
		// A fresh socket's send buffer is empty, so this write does not
		// wait for the client.
		c.SetWriteDeadline(time.Now().Add(time.Second))
		io.WriteString(c, fmt.Sprintf(refusal, l.reg.hostname))
		c.Close()
	}
}

func (l *limitListener) Close() error {
	l.reg.mu.Lock()
	delete(l.reg.listeners, l.Listener)
	l.reg.mu.Unlock()
	return l.Listener.Close()
}

// trackedConn is a client connection as go-smtp sees it. Under STARTTLS it
// is the transport below the *tls.Conn.
type trackedConn struct {
	net.Conn
	reg *registry
	ip  string // counted in registry.byIP; "" when not counted

	wmu             sync.Mutex // keeps each Write whole when goodbye writes concurrently
	eof             atomic.Bool
	closeAfterWrite atomic.Bool
	closeOnce       sync.Once
	closeErr        error

	// Guarded by reg.mu.
	top     net.Conn // where replies go: the conn, or its *tls.Conn; nil while unknown
	busy    bool     // inside a transaction (MAIL accepted, not yet reset)
	leaving bool     // goodbye said or the connection closed
}

// Read applies ReadTimeout to every read, so a silent client is
// disconnected but a slow, steady DATA is not, and remembers whether the
// client has closed its side.
func (c *trackedConn) Read(b []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.reg.readTimeout))
	n, err := c.Conn.Read(b)
	if err == io.EOF {
		c.eof.Store(true)
	}
	return n, err
}

func (c *trackedConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.Conn.SetWriteDeadline(time.Now().Add(c.reg.writeTimeout))
	n, err := c.Conn.Write(b)
	if c.closeAfterWrite.Load() {
		c.Close()
	}
	return n, err
}

func (c *trackedConn) Close() error {
	c.closeOnce.Do(func() {
		c.reg.release(c)
		c.closeErr = c.Conn.Close()
	})
	return c.closeErr
}

// sawEOF reports whether the client has closed its side of the connection.
func (c *trackedConn) sawEOF() bool { return c.eof.Load() }

// closeAfterReply makes the next reply the last: the connection is closed
// once it is written.
func (c *trackedConn) closeAfterReply() { c.closeAfterWrite.Store(true) }

// setTop records the connection replies are written on, as go-smtp holds
// it: after STARTTLS that is the *tls.Conn over c.
func (c *trackedConn) setTop(top net.Conn) {
	c.reg.mu.Lock()
	c.top = top
	c.reg.mu.Unlock()
}

// beginTxn marks the connection as inside a transaction, unless the server
// is shutting down.
func (c *trackedConn) beginTxn() bool {
	c.reg.mu.Lock()
	defer c.reg.mu.Unlock()
	if c.reg.shutting || c.leaving {
		return false
	}
	c.busy = true
	return true
}

// endTxn marks the transaction as over; if the server is shutting down,
// the connection says goodbye now.
func (c *trackedConn) endTxn() {
	c.reg.mu.Lock()
	c.busy = false
	bye := c.reg.shutting && !c.leaving
	c.leaving = c.leaving || bye
	c.reg.mu.Unlock()
	if bye {
		c.goodbye()
	}
}

// goodbye tells the client the server is shutting down and closes the
// connection (RFC 5321 §3.8).
func (c *trackedConn) goodbye() {
	c.reg.mu.Lock()
	top := c.top
	c.reg.mu.Unlock()
	if top != nil {
		io.WriteString(top, fmt.Sprintf(replyShuttingDown, c.reg.hostname))
	}
	c.Close()
}

// transport returns the trackedConn under a connection go-smtp holds.
func transport(c net.Conn) (*trackedConn, error) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	t, ok := c.(*trackedConn)
	if !ok {
		return nil, errors.New("smtp: connection not accepted through the server's listener")
	}
	return t, nil
}
