package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"zest/storage"
)

// Config is what the web page needs to know about the server around it.
type Config struct {
	// Hostname is the server's name, shown in DNS records and client
	// set-up.
	Hostname string
	// Version is zest's version, for the status page.
	Version string
	// Started is when the server started, for its uptime.
	Started time.Time
	// TLS, when set, serves HTTPS; cookies are then Secure.
	TLS *tls.Config
	// SetupCode lets a browser that is not on loopback run first-run
	// setup; `zest serve` prints it. Empty: setup only from loopback.
	SetupCode string
	// Services are the mail services and their ports, for client set-up
	// and DNS records.
	Services Services
	// Addresses are the server's public IP addresses, for the A and AAAA
	// records of its name (none: those records are left out).
	Addresses []netip.Addr
	// Resolver looks up the published DNS records for the check; nil
	// uses the system's resolver.
	Resolver Resolver
	// Listeners reports each listener and whether it is up.
	Listeners func() []ListenerStatus
	// Deliveries is the recent delivery outcomes and today's counts, for
	// the status page; nil shows none.
	Deliveries DeliveryLog
	// Logger receives the web server's log; nil discards it.
	Logger *slog.Logger
}

// ListenerStatus is one listener on the status page.
type ListenerStatus struct {
	Name, Addr string
	Up         bool
}

// Server is the web page and API over one store.
type Server struct {
	store *storage.Store
	cfg   Config
	log   *slog.Logger
	pages *pages
	mux   *http.ServeMux
	http  *http.Server
	// accountsMu serializes the administrator's changes to accounts, so
	// two of them at once cannot both pass the last-administrator check.
	accountsMu sync.Mutex
	flash      flashes
}

// NewServer returns the web server over st. It fails if a template does
// not parse, so a broken page is found at start, not at first use.
func NewServer(st *storage.Store, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Started.IsZero() {
		cfg.Started = time.Now()
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{store: st, cfg: cfg, log: cfg.Logger, pages: p, mux: http.NewServeMux()}
	s.routes()
	s.http = &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         cfg.TLS,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      10 * time.Minute, // a backup download takes a while
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Handler returns the whole site with its security headers.
func (s *Server) Handler() http.Handler { return s.secure(s.mux) }

// Serve answers HTTP (HTTPS when Config.TLS is set) on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	var err error
	if s.cfg.TLS != nil {
		err = s.http.Serve(tls.NewListener(l, s.cfg.TLS))
	} else {
		err = s.http.Serve(l)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("web: %w", err)
}

// Shutdown stops accepting requests and waits for those in progress.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

// secure adds the headers every response carries: a Content-Security-Policy
// that allows only the site's own scripts and styles, and no framing,
// sniffing or referrers.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if s.cfg.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
