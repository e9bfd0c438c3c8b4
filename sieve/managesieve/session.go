package managesieve

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"

	"zest/storage"
)

// conn is one client connection and its session.
type conn struct {
	srv    *Server
	nc     net.Conn // the session's stream: raw, or TLS over it after STARTTLS
	raw    net.Conn // fixed: what other goroutines may close or wake
	br     *bufio.Reader
	bw     *bufio.Writer
	dec    *decoder
	enc    *encoder
	tls    bool
	remote netip.Addr
	log    *slog.Logger
	ctx    context.Context

	account *storage.Account // nil before authentication
	logout  bool

	waiting atomic.Bool // blocked reading the next command
	closing atomic.Bool // the server is shutting down
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, nc: nc, raw: nc, ctx: context.Background()}
	if ap, err := netip.ParseAddrPort(nc.RemoteAddr().String()); err == nil {
		c.remote = ap.Addr().Unmap()
	}
	c.log = s.log.With("remote", nc.RemoteAddr().String())
	c.setStreams(nc)
	return c
}

func (c *conn) setStreams(rw io.ReadWriter) {
	c.br = bufio.NewReaderSize(rw, 8<<10)
	c.bw = bufio.NewWriterSize(rw, 16<<10)
	c.dec = &decoder{r: c.br, maxLiteral: c.srv.cfg.MaxLiteral}
	c.enc = &encoder{w: c.bw}
}

// shutdown asks the session to say BYE: at once when it waits for a
// command, else after the current one.
func (c *conn) Shutdown() {
	c.closing.Store(true)
	if c.waiting.Load() {
		c.raw.SetReadDeadline(time.Now())
	}
}

// plaintextOK reports whether a password may be sent on this connection:
// over TLS, or from the same machine, as for IMAP.
func (c *conn) plaintextOK() bool { return c.tls || c.remote.IsLoopback() }

// response is a NO (or an OK with a code) that a handler returns.
type response struct {
	status string // "NO" unless set
	code   string // without parentheses; may carry arguments, already encoded
	text   string
}

func (r *response) Error() string { return r.text }

func no(code, format string, args ...any) error {
	return &response{status: "NO", code: code, text: fmt.Sprintf(format, args...)}
}

// connError ends the session: the connection failed or cannot go on.
type connError struct{ err error }

func (e *connError) Error() string { return e.err.Error() }
func (e *connError) Unwrap() error { return e.err }

// Close ends the session now: the server's shutdown deadline passed.
func (c *conn) Close() { c.raw.Close() }

func (c *conn) Serve() {
	defer func() { c.nc.Close() }()
	defer func() {
		if r := recover(); r != nil {
			// A panic ends only its own connection.
			c.log.Error("managesieve session panic", "panic", r, "stack", string(debug.Stack()))
			c.enc.raw(`BYE "internal server error"`).crlf()
			c.bw.Flush()
		}
	}()
	c.writeCapabilities()
	c.enc.raw(`OK "zest ManageSieve ready"`).crlf()
	if c.bw.Flush() != nil {
		return
	}
	for !c.logout {
		if !c.readAndRun() {
			return
		}
	}
	c.linger()
}

// linger ends a session after LOGOUT: closing a socket with unread input
// makes the kernel reset the connection, which can lose the OK just sent.
// So the server closes its side first and reads (and ignores, RFC 5804
// §2.3) what the client still sends, briefly.
func (c *conn) linger() {
	cw, ok := c.nc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.nc.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, io.LimitReader(c.br, 64<<10))
}

// readAndRun reads and answers one command; false ends the session.
func (c *conn) readAndRun() bool {
	timeout := c.srv.cfg.LoginTimeout
	if c.account != nil {
		timeout = c.srv.cfg.IdleTimeout
	}
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	c.waiting.Store(true)
	if c.closing.Load() {
		c.bye("TRYLATER", "server shutting down")
		return false
	}
	name, args, err := c.dec.readCommand()
	c.waiting.Store(false)
	c.nc.SetReadDeadline(time.Time{})
	var se *syntaxError
	switch {
	case err == nil:
	case errors.As(err, &se):
		if c.dec.skipLine() != nil {
			return false
		}
		return c.reply(no("", "%s", se.msg))
	case errors.Is(err, errLiteralTooLarge):
		if c.dec.skipLine() != nil {
			return false
		}
		return c.reply(no("QUOTA/MAXSIZE", "literal too large (at most %d bytes)", c.srv.cfg.MaxLiteral))
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if c.closing.Load() {
				c.bye("TRYLATER", "server shutting down")
			} else {
				c.bye("", "idle for too long")
			}
		}
		return false
	}
	cmd, ok := commands[name]
	switch {
	case !ok:
		return c.reply(no("", "unknown command %s", name))
	case c.account == nil && !cmd.unauth:
		return c.reply(no("", "%s needs authentication first", name))
	case c.account != nil && !cmd.authed:
		return c.reply(no("", "%s is not allowed after authentication", name))
	}
	return c.reply(cmd.handle(c, args))
}

// reply ends a command: OK for nil, the response for a *response, and an
// internal error otherwise. It returns false when the session must end.
func (c *conn) reply(err error) bool {
	var r *response
	var ce *connError
	switch {
	case err == nil:
		c.enc.raw("OK")
	case errors.As(err, &ce):
		c.log.Info("managesieve session ends", "err", ce.err)
		return false
	case errors.As(err, &r):
		status := r.status
		if status == "" {
			status = "NO"
		}
		c.enc.raw(status)
		if r.code != "" {
			c.enc.raw(" (").raw(r.code).raw(")")
		}
		if r.text != "" {
			c.enc.raw(" ").str(r.text)
		}
	default:
		c.log.Error("managesieve command failed", "err", err)
		c.enc.raw(`NO (TRYLATER) "internal server error"`)
	}
	c.enc.crlf()
	return c.bw.Flush() == nil
}

func (c *conn) bye(code, text string) {
	c.enc.raw("BYE")
	if code != "" {
		c.enc.raw(" (").raw(code).raw(")")
	}
	c.enc.raw(" ").str(text).crlf()
	c.bw.Flush()
}

type command struct {
	unauth, authed bool // the states it is allowed in
	handle         func(c *conn, args []arg) error
}

var commands = map[string]command{
	"CAPABILITY":     {unauth: true, authed: true, handle: handleCapability},
	"NOOP":           {unauth: true, authed: true, handle: handleNoop},
	"LOGOUT":         {unauth: true, authed: true, handle: handleLogout},
	"STARTTLS":       {unauth: true, handle: handleStartTLS},
	"AUTHENTICATE":   {unauth: true, handle: handleAuthenticate},
	"UNAUTHENTICATE": {authed: true, handle: handleUnauthenticate},
	"LISTSCRIPTS":    {authed: true, handle: handleListScripts},
	"GETSCRIPT":      {authed: true, handle: handleGetScript},
	"PUTSCRIPT":      {authed: true, handle: handlePutScript},
	"CHECKSCRIPT":    {authed: true, handle: handleCheckScript},
	"SETACTIVE":      {authed: true, handle: handleSetActive},
	"DELETESCRIPT":   {authed: true, handle: handleDeleteScript},
	"RENAMESCRIPT":   {authed: true, handle: handleRenameScript},
	"HAVESPACE":      {authed: true, handle: handleHaveSpace},
}

// want checks the argument kinds; optional ones may be missing at the end.
func want(args []arg, required int, kinds ...argKind) error {
	if len(args) < required || len(args) > len(kinds) {
		return no("", "wrong number of arguments")
	}
	for i, a := range args {
		if a.kind != kinds[i] {
			if kinds[i] == argNumber {
				return no("", "argument %d must be a number", i+1)
			}
			return no("", "argument %d must be a string", i+1)
		}
	}
	return nil
}

func (c *conn) writeCapabilities() {
	cfg := &c.srv.cfg
	c.enc.str("IMPLEMENTATION").raw(" ").str("zest").crlf()
	mechs := ""
	if c.plaintextOK() {
		mechs = "PLAIN"
	}
	c.enc.str("SASL").raw(" ").str(mechs).crlf()
	c.enc.str("SIEVE").raw(" ").str(strings.Join(cfg.Capabilities(), " ")).crlf()
	if cfg.TLS != nil && !c.tls && c.account == nil {
		c.enc.str("STARTTLS").crlf()
	}
	if cfg.MaxRedirects > 0 {
		c.enc.str("MAXREDIRECTS").raw(" ").str(strconv.Itoa(cfg.MaxRedirects)).crlf()
	}
	if len(cfg.NotifyMethods) > 0 {
		c.enc.str("NOTIFY").raw(" ").str(strings.Join(cfg.NotifyMethods, " ")).crlf()
	}
	c.enc.str("UNAUTHENTICATE").crlf()
	if c.account != nil {
		c.enc.str("OWNER").raw(" ").str(c.account.Address).crlf()
	}
	c.enc.str("VERSION").raw(" ").str("1.0").crlf()
}

func handleCapability(c *conn, args []arg) error {
	if err := want(args, 0); err != nil {
		return err
	}
	c.writeCapabilities()
	return nil
}

func handleNoop(c *conn, args []arg) error {
	if err := want(args, 0, argString); err != nil {
		return err
	}
	if len(args) == 1 {
		var tag strings.Builder
		e := encoder{w: bufio.NewWriter(&tag)}
		e.raw("TAG ").str(args[0].s)
		e.w.Flush()
		return &response{status: "OK", code: tag.String(), text: "done"}
	}
	return nil
}

func handleLogout(c *conn, args []arg) error {
	if err := want(args, 0); err != nil {
		return err
	}
	// Anything after LOGOUT is ignored (RFC 5804 §2.3).
	c.logout = true
	return &response{status: "OK", text: "logout completed"}
}

func handleStartTLS(c *conn, args []arg) error {
	if err := want(args, 0); err != nil {
		return err
	}
	if c.srv.cfg.TLS == nil || c.tls {
		return no("", "STARTTLS is not available")
	}
	// Commands pipelined after STARTTLS came in the clear: drop them.
	c.br.Discard(c.br.Buffered())
	c.enc.raw(`OK "begin TLS negotiation"`).crlf()
	if err := c.bw.Flush(); err != nil {
		return &connError{err}
	}
	tc := tls.Server(c.nc, c.srv.cfg.TLS)
	c.nc.SetDeadline(time.Now().Add(c.srv.cfg.LoginTimeout))
	if err := tc.Handshake(); err != nil {
		return &connError{fmt.Errorf("TLS handshake: %w", err)}
	}
	c.nc.SetDeadline(time.Time{})
	c.nc, c.tls = tc, true
	c.setStreams(tc)
	// RFC 5804 §2.2: the capabilities again, now without STARTTLS.
	c.writeCapabilities()
	return nil
}

func handleAuthenticate(c *conn, args []arg) error {
	if err := want(args, 1, argString, argString); err != nil {
		return err
	}
	if !c.plaintextOK() {
		return no("ENCRYPT-NEEDED", "authentication needs TLS: use STARTTLS")
	}
	if !strings.EqualFold(args[0].s, "PLAIN") {
		return no("", "unsupported authentication mechanism %s", args[0].s)
	}
	var user, pass string
	srv := sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && !strings.EqualFold(identity, username) {
			return errors.New("authorization identity differs from the user")
		}
		user, pass = username, password
		return nil
	})
	var response []byte
	if len(args) == 2 {
		var err error
		if response, err = base64.StdEncoding.DecodeString(args[1].s); err != nil {
			return no("", "initial response is not base64")
		}
	}
	for {
		challenge, done, err := srv.Next(response)
		if err != nil {
			c.srv.store.LoginRefused(c.ctx, c.remote)
			return c.loginFailed()
		}
		if done {
			break
		}
		c.enc.str(base64.StdEncoding.EncodeToString(challenge)).crlf()
		if err := c.bw.Flush(); err != nil {
			return &connError{err}
		}
		c.nc.SetReadDeadline(time.Now().Add(c.srv.cfg.LoginTimeout))
		a, err := c.dec.readContinuation()
		c.nc.SetReadDeadline(time.Time{})
		var se *syntaxError
		switch {
		case errors.As(err, &se):
			c.dec.skipLine()
			return no("", "%s", se.msg)
		case err != nil:
			return &connError{err}
		}
		if a == "*" {
			return no("", "authentication cancelled")
		}
		if response, err = base64.StdEncoding.DecodeString(a); err != nil {
			return no("", "response is not base64")
		}
	}
	return c.login(user, pass)
}

// readContinuation reads the client's answer to a SASL challenge: one
// string on a line.
func (d *decoder) readContinuation() (string, error) {
	d.line, d.literals = 0, 0
	b, err := d.peek()
	if err != nil {
		return "", err
	}
	if b != '"' && b != '{' {
		return "", &syntaxError{"expected a string"}
	}
	a, err := d.readArg()
	if err != nil {
		return "", err
	}
	return a.s, d.endOfLine()
}

func (c *conn) login(user, pass string) error {
	a, err := c.srv.store.Login(c.ctx, c.remote, user, pass)
	var blocked *storage.LoginBlockedError
	switch {
	case errors.As(err, &blocked):
		return no("TRYLATER", "%s", blocked.Error())
	case errors.Is(err, storage.ErrBadCredentials), errors.Is(err, storage.ErrAccountDisabled):
		return c.loginFailed()
	case err != nil:
		return err // the store failed: not the client's fault
	}
	c.account = a
	c.log = c.log.With("user", a.Address)
	c.log.Info("managesieve login", "tls", c.tls)
	return nil
}

// loginFailed answers a failed login (the store already paused it).
func (c *conn) loginFailed() error {
	c.log.Info("managesieve login failed")
	return no("", "authentication failed")
}

func handleUnauthenticate(c *conn, args []arg) error {
	if err := want(args, 0); err != nil {
		return err
	}
	c.account = nil
	c.log = c.srv.log.With("remote", c.nc.RemoteAddr().String())
	return nil
}

// storeError turns a store error into the client's answer.
func storeError(err error, name string) error {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return no("NONEXISTENT", "there is no script %s", name)
	case errors.Is(err, storage.ErrExists):
		return no("ALREADYEXISTS", "a script %s already exists", name)
	case errors.Is(err, storage.ErrScriptActive):
		return no("ACTIVE", "script %s is active; deactivate it first", name)
	case errors.Is(err, storage.ErrTooManyScripts):
		return no("QUOTA/MAXSCRIPTS", "too many scripts; delete one first")
	case errors.Is(err, storage.ErrScriptTooLarge):
		return no("QUOTA/MAXSIZE", "script too large")
	case errors.Is(err, storage.ErrInvalidName):
		return no("", "invalid script name")
	case errors.Is(err, storage.ErrDiskFull):
		return no("QUOTA", "the server is out of disk space")
	}
	return err
}

func handleListScripts(c *conn, args []arg) error {
	if err := want(args, 0); err != nil {
		return err
	}
	list, err := c.srv.store.ListScripts(c.ctx, c.account.ID)
	if err != nil {
		return err
	}
	for _, sc := range list {
		c.enc.str(sc.Name)
		if sc.Active {
			c.enc.raw(" ACTIVE")
		}
		c.enc.crlf()
	}
	return nil
}

func handleGetScript(c *conn, args []arg) error {
	if err := want(args, 1, argString); err != nil {
		return err
	}
	sc, err := c.srv.store.GetScript(c.ctx, c.account.ID, args[0].s)
	if err != nil {
		return storeError(err, args[0].s)
	}
	c.enc.literal(string(sc.Content)).crlf()
	return nil
}

// lineCol finds the "line:col: " that starts each of Check's messages.
var lineCol = regexp.MustCompile(`(^|; )(\d+:\d+: )`)

// check runs the configured validation: nil, a warning response for an
// accepted script, or the NO response for a rejected one.
func (c *conn) check(script []byte) (warning, rejected error) {
	if c.srv.cfg.Check == nil {
		return nil, nil
	}
	err := c.srv.cfg.Check(c.ctx, c.account.ID, script)
	if err == nil {
		return nil, nil
	}
	text := lineCol.ReplaceAllString(err.Error(), "${1}line $2")
	if w, ok := err.(interface{ Warning() bool }); ok && w.Warning() {
		return &response{status: "OK", code: "WARNINGS", text: text}, nil
	}
	return nil, no("", "%s", text)
}

func handlePutScript(c *conn, args []arg) error {
	if err := want(args, 2, argString, argString); err != nil {
		return err
	}
	name, script := args[0].s, []byte(args[1].s)
	if !storage.ValidSieveName(name) {
		return no("", "invalid script name")
	}
	if len(script) == 0 {
		return no("", "the script is empty")
	}
	if err := c.srv.store.CheckScriptSpace(c.ctx, c.account.ID, name, len(script)); err != nil {
		return storeError(err, name)
	}
	warning, err := c.check(script)
	if err != nil {
		return err
	}
	if err := c.srv.store.PutScript(c.ctx, c.account.ID, name, script); err != nil {
		return storeError(err, name)
	}
	return warning
}

func handleCheckScript(c *conn, args []arg) error {
	if err := want(args, 1, argString); err != nil {
		return err
	}
	warning, err := c.check([]byte(args[0].s))
	if err != nil {
		return err
	}
	return warning
}

func handleSetActive(c *conn, args []arg) error {
	if err := want(args, 1, argString); err != nil {
		return err
	}
	name := args[0].s
	if name != "" {
		sc, err := c.srv.store.GetScript(c.ctx, c.account.ID, name)
		if err != nil {
			return storeError(err, name)
		}
		// The engine may have changed since the script was stored; a
		// script that fails now must not become active (SV-28).
		if _, err := c.check(sc.Content); err != nil {
			return err
		}
	}
	if err := c.srv.store.SetActive(c.ctx, c.account.ID, name); err != nil {
		return storeError(err, name)
	}
	return nil
}

func handleDeleteScript(c *conn, args []arg) error {
	if err := want(args, 1, argString); err != nil {
		return err
	}
	if err := c.srv.store.DeleteScript(c.ctx, c.account.ID, args[0].s); err != nil {
		return storeError(err, args[0].s)
	}
	return nil
}

func handleRenameScript(c *conn, args []arg) error {
	if err := want(args, 2, argString, argString); err != nil {
		return err
	}
	from, to := args[0].s, args[1].s
	err := c.srv.store.RenameScript(c.ctx, c.account.ID, from, to)
	if errors.Is(err, storage.ErrExists) {
		return storeError(err, to)
	}
	if err != nil {
		return storeError(err, from)
	}
	return nil
}

func handleHaveSpace(c *conn, args []arg) error {
	if err := want(args, 2, argString, argNumber); err != nil {
		return err
	}
	name := args[0].s
	if !storage.ValidSieveName(name) {
		return no("", "invalid script name")
	}
	if err := c.srv.store.CheckScriptSpace(c.ctx, c.account.ID, name, int(args[1].n)); err != nil {
		return storeError(err, name)
	}
	return nil
}
