package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"zest/imap/serve"
	"zest/storage"
)

// Config configures a Server. A zero field takes its default.
type Config struct {
	Hostname string
	// TLS enables STARTTLS on plain listeners and is required by ServeTLS.
	TLS *tls.Config
	// MaxLiteral bounds one literal, and so one APPEND (default 50 MiB,
	// advertised as APPENDLIMIT).
	MaxLiteral int64
	// IdleTimeout is the autologout timer: RFC 3501 §5.4 asks for at least
	// 30 minutes (default 30 minutes).
	IdleTimeout time.Duration
	// LoginTimeout is how long an unauthenticated client may stay (default 1 minute).
	LoginTimeout time.Duration
	Logger       *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Hostname == "" {
		c.Hostname = "localhost"
	}
	if c.MaxLiteral <= 0 {
		c.MaxLiteral = 50 << 20
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.LoginTimeout <= 0 {
		c.LoginTimeout = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = serve.ErrServerClosed

// Server serves IMAP from a store.
type Server struct {
	cfg     Config
	store   *storage.Store
	log     *slog.Logger
	recent  *recentClaims
	reads   fetchCounters // store reads made by FETCH
	started time.Time     // messages saved before it are not \Recent
	stop    chan struct{} // closed by Shutdown: ends watchArrivals

	stopOnce sync.Once
	sessions serve.Group
}

// NewServer returns a server for store; nothing listens until Serve.
func NewServer(store *storage.Store, cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg: cfg, store: store, log: cfg.Logger, recent: newRecentClaims(), started: time.Now(),
		stop: make(chan struct{}),
	}
	go s.watchArrivals(store.Subscribe(0, 4096), s.stop)
	return s
}

// Serve accepts plain connections on l (STARTTLS upgrades them) until
// Shutdown; it always returns an error, ErrServerClosed after Shutdown.
func (s *Server) Serve(l net.Listener) error { return s.serve(l, false) }

// ServeTLS accepts implicit-TLS connections (the imaps port) on l.
func (s *Server) ServeTLS(l net.Listener) error {
	if s.cfg.TLS == nil {
		return errors.New("imap: ServeTLS needs a TLS configuration")
	}
	return s.serve(tls.NewListener(l, s.cfg.TLS), true)
}

func (s *Server) serve(l net.Listener, implicitTLS bool) error {
	return s.sessions.Serve(l, func(nc net.Conn) serve.Session { return newConn(s, nc, implicitTLS) })
}

// Shutdown stops accepting, tells every client BYE at the next point the
// protocol allows (at once for idle or IDLE-ing clients), and waits for the
// sessions to end until ctx does, then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stop) })
	return s.sessions.Shutdown(ctx)
}
