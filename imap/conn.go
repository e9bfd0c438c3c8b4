package imap

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"zest/imap/wire"
	"zest/storage"
)

type state uint8

const (
	stateNotAuth state = 1 << iota
	stateAuth
	stateSelected
	stateLogout

	anyState = stateNotAuth | stateAuth | stateSelected
	authed   = stateAuth | stateSelected
)

// conn is one client connection and its session.
type conn struct {
	srv    *Server
	nc     net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	dec    *wire.Decoder
	enc    *wire.Encoder
	tls    bool
	remote netip.Addr
	log    *slog.Logger
	ctx    context.Context

	state   state
	account *storage.Account
	sub     *storage.Subscription
	sel     *view
	enabled map[string]bool // capabilities turned on by ENABLE

	client *storage.ClientLease // the Client-ID in use (CLIENTID, STATE)
	saved  *savedSet            // STATE tracking: nil until STATE succeeds

	// Set by a command's handler, reset by reply: the effect STATE may
	// save, and holdUpdates when no pending update may come before the
	// tagged response (CLIENTID, seed 000 §5).
	effect      *storage.StateEffect
	holdUpdates bool

	waiting  atomic.Bool // blocked reading the next command or in IDLE
	closing  atomic.Bool // the server is shutting down
	wakeOnce sync.Once
	wake     chan struct{} // closed on shutdown, to end IDLE
	unknown  int           // unknown commands before login
}

func newConn(s *Server, nc net.Conn, implicitTLS bool) *conn {
	c := &conn{srv: s, nc: nc, tls: implicitTLS, state: stateNotAuth, ctx: context.Background(), enabled: map[string]bool{}, wake: make(chan struct{})}
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
	c.dec = wire.NewDecoder(c.br)
	c.dec.MaxLiteral = c.srv.cfg.MaxLiteral
	c.dec.Continue = c.continueLiteral
	c.enc = wire.NewEncoder(c.bw)
	utf8 := c.enabled["UTF8=ACCEPT"]
	c.dec.UTF8, c.enc.UTF8 = utf8, utf8
}

// continueLiteral answers a synchronising literal the decoder accepted.
func (c *conn) continueLiteral(int64) error {
	return c.enc.Raw("+ Ready for literal data").CRLF().Flush()
}

// shutdown asks the session to say BYE: at once when it waits for a command
// or idles, else after the current command.
func (c *conn) Shutdown() {
	c.closing.Store(true)
	c.wakeOnce.Do(func() { close(c.wake) })
	if c.waiting.Load() {
		c.nc.SetReadDeadline(time.Now())
	}
}

// plaintextOK reports whether a password may be sent on this connection:
// over TLS, or from the same machine (RFC 9051 §11.1 leaves loopback to
// the server).
func (c *conn) plaintextOK() bool { return c.tls || c.remote.IsLoopback() }

// Close ends the session now: the server's shutdown deadline passed.
func (c *conn) Close() { c.nc.Close() }

func (c *conn) Serve() {
	defer c.nc.Close()
	defer c.releaseClient()
	defer func() {
		if c.sub != nil {
			c.sub.Close()
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			// A panic ends only its own connection.
			c.log.Error("imap session panic", "panic", r, "stack", string(debug.Stack()))
			c.enc.Raw("* BYE internal server error").CRLF().Flush()
		}
	}()
	c.enc.Raw("* OK [CAPABILITY ").Raw(strings.Join(c.capabilities(), " ")).Raw("] zest IMAP ready").CRLF()
	if c.flush() != nil {
		return
	}
	for c.state != stateLogout {
		if c.closing.Load() {
			c.enc.Raw("* BYE server shutting down").CRLF()
			c.flush()
			return
		}
		if !c.readAndRun() {
			return
		}
	}
}

// flush sends buffered responses, bounded in time so a client that does
// not read cannot hold the session forever.
func (c *conn) flush() error {
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Minute))
	return c.enc.Flush()
}

// command is one parsed command line (its arguments are read by its handler).
type command struct {
	tag  string
	name string // upper case; "UID FETCH" for UID commands
	// holdExpunges is set by a UID command that must not be answered with
	// expunges either (a UID SEARCH by message number).
	holdExpunges bool
}

func isTagChar(b byte) bool { return wire.IsAStringChar(b) && b != '+' }

// readAndRun reads one command, runs it and answers it. It returns false
// when the connection must end.
func (c *conn) readAndRun() bool {
	timeout := c.srv.cfg.IdleTimeout
	if c.state == stateNotAuth {
		timeout = c.srv.cfg.LoginTimeout
	}
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	c.waiting.Store(true)
	c.dec.Reset()
	var cmd command
	_, err := c.br.Peek(1) // wait for the client, interruptible by shutdown
	c.waiting.Store(false)
	if err != nil {
		var ne net.Error
		switch {
		case c.closing.Load():
			c.enc.Raw("* BYE server shutting down").CRLF()
			c.flush()
		case errors.As(err, &ne) && ne.Timeout():
			c.enc.Raw("* BYE autologout: idle for too long").CRLF()
			c.flush()
		}
		return false
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Minute)) // the rest of the command
	if !c.dec.Func(&cmd.tag, isTagChar) {
		c.dec.Failf("missing or invalid tag")
		return c.reply(&cmd, c.dec.Err())
	}
	var name string
	if !c.dec.ExpectSP() || !c.dec.ExpectAtom(&name) {
		return c.reply(&cmd, c.dec.Err())
	}
	cmd.name = strings.ToUpper(name)
	if cmd.name == "UID" {
		if !c.dec.ExpectSP() || !c.dec.ExpectAtom(&name) {
			return c.reply(&cmd, c.dec.Err())
		}
		cmd.name = "UID " + strings.ToUpper(name)
	}
	spec, ok := commands[cmd.name]
	if !ok || spec.enabled != nil && !spec.enabled(c) {
		if c.state == stateNotAuth {
			// Not IMAP, or not a client: end it rather than talk on
			// (cross-protocol attacks send HTTP or SMTP here).
			if c.unknown++; c.unknown >= 2 {
				c.enc.Raw("* BYE too many unknown commands").CRLF()
				c.flush()
				return false
			}
		}
		c.dec.Failf("unknown command %s", cmd.name)
		return c.reply(&cmd, c.dec.Err())
	}
	if spec.states&c.state == 0 {
		return c.reply(&cmd, bad("%s is not allowed %s", cmd.name, c.stateText()))
	}
	err = spec.handle(c, &cmd)
	return c.reply(&cmd, err)
}

func (c *conn) stateText() string {
	switch c.state {
	case stateNotAuth:
		return "before logging in"
	case stateAuth:
		return "without a selected mailbox"
	}
	return "now"
}

// respError is a tagged NO or BAD the client gets as it is.
type respError struct {
	status string // NO or BAD
	code   string // response code without brackets, or ""
	text   string
}

func (e *respError) Error() string { return e.status + " " + e.text }

func no(code, format string, args ...any) error {
	return &respError{status: "NO", code: code, text: fmt.Sprintf(format, args...)}
}

func bad(format string, args ...any) error {
	return &respError{status: "BAD", text: fmt.Sprintf(format, args...)}
}

// errEnd ends the connection after the tagged reply (LOGOUT, fatal errors).
var errEnd = errors.New("end of session")

// reply sends the tagged response for cmd, after the updates the session
// owes the client. It is the only place errors become responses: protocol
// errors keep their status, syntax errors are BAD, storage refusals map to
// their codes, anything unexpected is logged and answered NO [SERVERBUG].
// It returns false when the connection must end.
func (c *conn) reply(cmd *command, err error) bool {
	tag := cmd.tag
	if tag == "" {
		tag = "*"
	}
	effect, hold := c.effect, c.holdUpdates
	c.effect, c.holdUpdates = nil, false
	var (
		re    *respError
		se    *wire.SyntaxError
		big   *wire.LiteralTooBigError
		ne    net.Error
		tlsRE tls.RecordHeaderError
	)
	status, code, text, keep := "OK", "", cmd.name+" completed", true
	switch {
	case err == nil:
	case errors.Is(err, errReplied):
		return true
	case errors.Is(err, errEnd):
		keep = false
	case errors.As(err, &re):
		status, code, text = re.status, re.code, re.text
	case errors.As(err, &big):
		status, code, text = "BAD", "TOOBIG", big.Error()
		if big.NonSync {
			keep = false
		}
	case errors.As(err, &se):
		status, text = "BAD", se.Msg
	case errors.Is(err, wire.ErrLineTooLong):
		c.enc.Raw("* BYE command line too long").CRLF()
		c.flush()
		return false
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne), errors.As(err, &tlsRE), errors.Is(err, net.ErrClosed):
		return false // the connection is gone; nothing to answer
	case errors.Is(err, storage.ErrNoSuchMailbox):
		status, code, text = "NO", "NONEXISTENT", "no such mailbox"
	case errors.Is(err, storage.ErrExists):
		status, code, text = "NO", "ALREADYEXISTS", "mailbox already exists"
	case errors.Is(err, storage.ErrMailboxHasChildren):
		status, code, text = "NO", "INUSE", "mailbox has children; delete them first"
	case errors.Is(err, storage.ErrInvalidName):
		status, code, text = "NO", "CANNOT", strings.TrimPrefix(err.Error(), "storage: invalid name: ")
	case errors.Is(err, storage.ErrDiskFull):
		status, code, text = "NO", "LIMIT", "the server's disk is full"
	case errors.Is(err, storage.ErrUIDSpaceExhausted):
		status, code, text = "NO", "LIMIT", "the mailbox cannot take more messages"
	default:
		c.log.Error("imap command failed", "command", cmd.name, "err", err)
		status, code, text = "NO", "SERVERBUG", "internal error; the failure was logged"
	}
	if status == "BAD" && !c.dec.DiscardLine() {
		keep = false
	}
	if keep && c.state == stateSelected && !hold {
		if err := c.sendUpdates(cmd); err != nil {
			c.log.Error("imap updates", "err", err)
			status, code, text = "NO", "SERVERBUG", "internal error; the failure was logged"
		}
	}
	if c.sel != nil {
		c.sel.trim()
	}
	if status == "OK" && effect != nil {
		c.stateCommand(tag, effect)
	}
	c.enc.Raw(tag).SP().Raw(status).SP()
	if code != "" {
		c.enc.Special('[').Raw(code).Raw("] ")
	}
	c.enc.Raw(text).CRLF()
	if c.flush() != nil {
		return false
	}
	if !keep && c.state != stateLogout {
		c.enc.Raw("* BYE closing the connection").CRLF()
		c.flush()
	}
	return keep
}

// sendUpdates tells the client what changed in the selected mailbox, as far
// as the command just run allows (no EXPUNGE after FETCH, STORE or SEARCH by
// sequence number, nor after a UID SEARCH that names message numbers: RFC
// 3501 §7.4.1, RFC 7162 §3.2.10.2).
func (c *conn) sendUpdates(cmd *command) error {
	if c.sel == nil {
		return nil
	}
	switch cmd.name {
	case "FETCH", "STORE", "SEARCH":
		return c.sync(false)
	}
	return c.sync(!cmd.holdExpunges)
}

// sync drains the event subscription and, when the selected mailbox
// changed, brings the view up to date and reports it.
func (c *conn) sync(allowExpunge bool) error { return c.syncWith(false, allowExpunge) }

// syncWith is sync for a caller that already knows the mailbox changed.
func (c *conn) syncWith(dirty, allowExpunge bool) error {
	if err := c.freshen(dirty); err != nil {
		return err
	}
	if c.sel != nil {
		c.sel.report(c.enc, reportMode{allowExpunge: allowExpunge, condstore: c.enabled["CONDSTORE"], qresync: c.enabled["QRESYNC"]})
	}
	return nil
}

// freshen drains the event subscription and, when the selected mailbox
// changed, brings the view (and its records) up to date without telling
// the client yet: commands that read records call it first.
func (c *conn) freshen(dirty bool) error {
	if c.sub == nil {
		return nil
	}
	for {
		select {
		case ev := <-c.sub.C:
			if c.sel != nil && ev.Mailbox == c.sel.mailbox {
				dirty = true
			}
			continue
		default:
		}
		break
	}
	if c.sub.Overflowed() {
		dirty = true
	}
	if c.sel == nil || !dirty {
		return nil
	}
	return c.sel.refresh(c.ctx, c.srv.store)
}
