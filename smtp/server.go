package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"golang.org/x/sync/semaphore"

	"zest/sieve"
	"zest/storage"
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxMessageBytes     = 50 << 20
	DefaultMaxRecipients       = 100 // RFC 5321 §4.5.3.1.8: at least 100 must be accepted
	DefaultReadTimeout         = 5 * time.Minute
	DefaultWriteTimeout        = time.Minute
	DefaultMaxConnections      = 200
	DefaultMaxConnectionsPerIP = 20
)

// Config configures a Server. A zero field takes its default.
type Config struct {
	// Hostname is the server's name in the greeting and in the "by" clause
	// of the Received header; the default is the system's host name.
	Hostname string
	// TLS, when set, turns on STARTTLS. Versions below TLS 1.2 are refused
	// whatever its MinVersion says.
	TLS *tls.Config
	// MaxMessageBytes is the largest message accepted, as advertised by
	// SIZE (default 50 MiB).
	MaxMessageBytes int64
	// MaxRecipients is the most recipients one transaction may have
	// (default 100); the next RCPT gets 452 4.5.3.
	MaxRecipients int
	// ReadTimeout bounds every read from a client (default 5 minutes, like
	// Postfix's smtpd_timeout): a client that sends nothing for that long is
	// disconnected. It applies to each read, so a long DATA is not cut.
	ReadTimeout time.Duration
	// WriteTimeout bounds every write to a client (default 1 minute).
	WriteTimeout time.Duration
	// MaxConnections bounds the open connections of both roles together
	// (default 200); MaxConnectionsPerIP bounds those of one client address
	// (an IPv6 /64) on the MX role (default 20). A connection over either
	// is answered 421 4.7.0 and closed.
	MaxConnections      int
	MaxConnectionsPerIP int
	// MaxInflightBytes bounds the bytes of all messages held in memory at
	// once, from their first byte until they are stored (default 256 MiB,
	// and at least four maximum-size messages).
	MaxInflightBytes int64
	// Logger receives one record per delivery outcome and the server's
	// errors; the default is slog.Default(). Message content is never
	// logged.
	Logger *slog.Logger
	// Filter chooses where each account's copy of a message goes (the
	// user's Sieve script); nil stores every message in INBOX.
	Filter DepositFilter
	// Journal, when set, receives every recipient's outcome (accepted,
	// refused at RCPT or after DATA) for the web page's status.
	Journal *Journal
}

// DepositFilter decides, for one account, what becomes of a delivered
// message. *sieve.Deliverer is one.
type DepositFilter interface {
	Decide(ctx context.Context, a storage.AccountID, msg sieve.Message, env sieve.Envelope) *sieve.Decision
}

// DepositCommitter is a DepositFilter that is told when an account's copy
// was delivered as decided; *sieve.Deliverer records the Sieve duplicate
// test's IDs then, never for a failed delivery (RFC 7352 §3).
type DepositCommitter interface {
	Commit(ctx context.Context, a storage.AccountID, dec *sieve.Decision) error
}

var _ DepositCommitter = (*sieve.Deliverer)(nil)

func (c Config) withDefaults() Config {
	if c.Hostname == "" {
		c.Hostname, _ = os.Hostname()
		if c.Hostname == "" {
			c.Hostname = "localhost"
		}
	}
	if c.TLS != nil {
		c.TLS = c.TLS.Clone()
		c.TLS.MinVersion = max(c.TLS.MinVersion, tls.VersionTLS12)
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = DefaultMaxRecipients
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxConnectionsPerIP <= 0 {
		c.MaxConnectionsPerIP = DefaultMaxConnectionsPerIP
	}
	if c.MaxInflightBytes <= 0 {
		c.MaxInflightBytes = max(256<<20, 4*c.MaxMessageBytes)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// role is what a listener serves.
type role int

const (
	roleMX role = iota
	roleLMTP
)

func (r role) String() string {
	if r == roleLMTP {
		return "lmtp"
	}
	return "smtp"
}

// ErrServerClosed is returned by ServeSMTP and ServeLMTP after Shutdown or
// Close, and by a second Shutdown.
var ErrServerClosed = errors.New("smtp: server closed")

// shutdownGrace is how long Shutdown waits, after its deadline closed every
// connection, for sessions still inside the store to return.
const shutdownGrace = 10 * time.Second

// Server receives mail over SMTP (the MX role) and LMTP into a store.
type Server struct {
	cfg   Config
	store mailStore
	log   *slog.Logger
	conns *registry
	mem   *semaphore.Weighted // bytes of messages held in memory
	// budgetWait is how long a message waits for room in mem.
	budgetWait time.Duration
	mx         *gosmtp.Server
	lmtp       *gosmtp.Server

	// ctx is the parent of every store call; it ends when Shutdown gives
	// up waiting, so deliveries not yet handed to the store stop there.
	ctx    context.Context
	cancel context.CancelFunc
}

// NewServer returns a server that delivers into store. Nothing listens
// until ServeSMTP or ServeLMTP is called.
func NewServer(store *storage.Store, cfg Config) *Server {
	return newServer(store, cfg)
}

func newServer(store mailStore, cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, store: store, log: cfg.Logger}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.conns = newRegistry(cfg)
	s.mem = semaphore.NewWeighted(cfg.MaxInflightBytes)
	s.budgetWait = defaultBudgetWait
	s.mx = s.protocolServer(roleMX)
	s.lmtp = s.protocolServer(roleLMTP)
	return s
}

func (s *Server) protocolServer(r role) *gosmtp.Server {
	srv := gosmtp.NewServer(&backend{srv: s, role: r})
	srv.LMTP = r == roleLMTP
	srv.Domain = s.cfg.Hostname
	srv.TLSConfig = s.cfg.TLS
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.MaxRecipients = s.cfg.MaxRecipients
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = errorLog{s.log.With("role", r.String())}
	// ReadTimeout and WriteTimeout stay zero: go-smtp would set one
	// deadline per command, which cuts a long DATA; trackedConn sets one
	// per read and per write instead.
	return srv
}

// ServeSMTP accepts MX connections (inbound SMTP from the internet) on l
// until Shutdown. l must be a plain listener: TLS is offered by STARTTLS.
// Like net/http's Serve, it always returns an error: ErrServerClosed after
// Shutdown or Close.
func (s *Server) ServeSMTP(l net.Listener) error { return s.serve(l, roleMX) }

// ServeLMTP accepts LMTP connections on l until Shutdown. l may be a TCP or
// a Unix socket listener. It returns as ServeSMTP does.
func (s *Server) ServeLMTP(l net.Listener) error { return s.serve(l, roleLMTP) }

func (s *Server) serve(l net.Listener, r role) error {
	if s.conns.isShuttingDown() {
		l.Close()
		return ErrServerClosed
	}
	srv := s.mx
	if r == roleLMTP {
		srv = s.lmtp
	}
	err := srv.Serve(&limitListener{Listener: l, reg: s.conns, role: r})
	if s.conns.isShuttingDown() {
		return ErrServerClosed
	}
	return err
}

// Shutdown stops accepting connections and ends the open ones gracefully:
// an idle session is told 421 4.3.2 and closed at once; a session inside a
// transaction finishes it (the message is stored and answered, or refused)
// and is then told 421 4.3.2. Any command that arrives meanwhile is answered
// 421 4.3.2. When ctx ends first, every connection still open is closed and
// Shutdown returns ctx's error; a message whose data was not complete is
// then never acknowledged, and one already inside storage.Deliver either
// commits or fails there, but its 250 is never sent on a closed connection.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.conns.shutdown() {
		return ErrServerClosed
	}
	done := make(chan error, 2)
	for _, srv := range []*gosmtp.Server{s.mx, s.lmtp} {
		go func() {
			// go-smtp closes the listeners and waits for every
			// connection's goroutine to return.
			err := srv.Shutdown(context.Background())
			if errors.Is(err, gosmtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
				err = nil
			}
			done <- err
		}()
	}
	var err error
	for pending := 2; pending > 0; pending-- {
		select {
		case e := <-done:
			err = errors.Join(err, e)
		case <-ctx.Done():
			s.forceClose(done, pending)
			return ctx.Err()
		}
	}
	s.cancel()
	return err
}

// forceClose ends everything still running when Shutdown's deadline comes,
// then waits a little for the sessions inside the store to return, so the
// caller can close the store after Shutdown.
func (s *Server) forceClose(done <-chan error, pending int) {
	s.cancel()
	s.conns.closeAll()
	grace := time.NewTimer(shutdownGrace)
	defer grace.Stop()
	for ; pending > 0; pending-- {
		select {
		case <-done:
		case <-grace.C:
			s.log.Warn("smtp shutdown: sessions still running after their connections were closed")
			return
		}
	}
}

// Close closes every listener and connection at once. It is Shutdown with
// no time for anything in flight.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// errorLog passes go-smtp's own error messages (connection errors, recovered
// panics) to slog.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Printf(format string, v ...any) { e.print(fmt.Sprintf(format, v...)) }
func (e errorLog) Println(v ...any)               { e.print(strings.TrimSuffix(fmt.Sprintln(v...), "\n")) }

func (e errorLog) print(msg string) {
	level := slog.LevelInfo
	if strings.Contains(msg, "panic") {
		level = slog.LevelError
	}
	e.log.Log(context.Background(), level, "go-smtp: "+msg)
}
