// Package managesieve is zest's ManageSieve server (RFC 5804): users list,
// upload, check, activate, rename and delete their Sieve scripts, which the
// store keeps (storage.PutScript and friends).
package managesieve

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"time"

	"zest/imap/serve"
	"zest/storage"
)

// Config configures a Server. A zero field takes its default.
type Config struct {
	Logger *slog.Logger
	// TLS enables STARTTLS; without it, passwords are accepted only from
	// loopback addresses.
	TLS *tls.Config
	// Check validates a script as delivery will compile it. A script it
	// rejects is never stored or activated (RFC 5804 §2.6). Its error text
	// is shown to the user; "line:col: msg; line:col: msg" is shown as
	// "line L:C: msg" items. An error with a method Warning() bool that
	// returns true is a warning: the script is accepted and the text
	// returned with OK (WARNINGS). Nil accepts every script (tests only).
	// account is the logged-in user, whose scripts an include names
	// (RFC 6609).
	Check func(ctx context.Context, account storage.AccountID, script []byte) error
	// Capabilities lists the Sieve extensions Check accepts, for the SIEVE
	// capability (RFC 5804 §1.7).
	Capabilities func() []string
	// NotifyMethods are the enotify methods (RFC 5435) the engine supports,
	// for the NOTIFY capability; none omits it.
	NotifyMethods []string
	// MaxRedirects is the most redirect actions one script may run, for
	// the MAXREDIRECTS capability; 0 omits it.
	MaxRedirects int
	// MaxLiteral bounds the literals of one command together (default:
	// the store's script size limit, at least 64 KiB); a longer one is
	// read, thrown away and answered NO (QUOTA/MAXSIZE).
	MaxLiteral int64
	// IdleTimeout ends an authenticated session that sends nothing; RFC
	// 5804 §2.14.1 asks for at least 30 minutes (the default).
	IdleTimeout time.Duration
	// LoginTimeout ends a session that does not authenticate in time
	// (default 1 minute).
	LoginTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Capabilities == nil {
		c.Capabilities = func() []string { return nil }
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.LoginTimeout <= 0 {
		c.LoginTimeout = time.Minute
	}
	return c
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = serve.ErrServerClosed

// Server serves ManageSieve from a store.
type Server struct {
	cfg   Config
	store *storage.Store
	log   *slog.Logger

	sessions serve.Group
}

// NewServer returns a server for store; nothing listens until Serve.
func NewServer(store *storage.Store, cfg Config) *Server {
	cfg = cfg.withDefaults()
	if cfg.MaxLiteral <= 0 {
		_, size := store.SieveLimits()
		cfg.MaxLiteral = max(int64(size), 64<<10)
	}
	return &Server{
		cfg: cfg, store: store, log: cfg.Logger,
	}
}

// Serve accepts connections on l until Shutdown; it always returns an
// error, ErrServerClosed after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	return s.sessions.Serve(l, func(nc net.Conn) serve.Session { return newConn(s, nc) })
}

// Shutdown stops accepting, says BYE to idle clients at once and to busy
// ones after their current command, and waits for the sessions to end
// until ctx does, then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error { return s.sessions.Shutdown(ctx) }
