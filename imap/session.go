package imap

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"zest/storage"
)

var sessionCommands = map[string]commandSpec{
	"CAPABILITY":     {states: anyState, handle: handleCapability},
	"NOOP":           {states: anyState, handle: handleNoop},
	"LOGOUT":         {states: anyState, handle: handleLogout},
	"STARTTLS":       {states: stateNotAuth, handle: handleStartTLS, enabled: func(c *conn) bool { return c.srv.cfg.TLS != nil }},
	"LOGIN":          {states: stateNotAuth, handle: handleLogin},
	"AUTHENTICATE":   {states: stateNotAuth, handle: handleAuthenticate},
	"ID":             {states: anyState, handle: handleID},
	"ENABLE":         {states: authed, handle: handleEnable},
	"NAMESPACE":      {states: authed, handle: handleNamespace},
	"UNAUTHENTICATE": {states: authed, handle: handleUnauthenticate},
	"IDLE":           {states: authed, handle: handleIdle},
}

// endOfArgs checks that the command line ends here.
func (c *conn) endOfArgs() error {
	if !c.dec.ExpectCRLF() {
		return c.dec.Err()
	}
	return nil
}

func handleCapability(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	c.enc.Raw("* CAPABILITY ").Raw(strings.Join(c.capabilities(), " ")).CRLF()
	return nil
}

func handleNoop(c *conn, cmd *command) error { return c.endOfArgs() }

func handleLogout(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	c.enc.Raw("* BYE logging out").CRLF()
	c.state = stateLogout
	return errEnd
}

// errReplied means the handler sent the tagged response itself.
var errReplied = errors.New("tagged response already sent")

func handleStartTLS(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if c.tls {
		return bad("TLS is already active")
	}
	if c.br.Buffered() > 0 {
		// Commands pipelined after STARTTLS would run as if they came
		// over TLS (a command injection): refuse the connection.
		return bad("data after STARTTLS")
	}
	c.enc.Raw(cmd.tag).Raw(" OK begin TLS negotiation now").CRLF()
	if err := c.flush(); err != nil {
		return err
	}
	tc := tls.Server(c.nc, c.srv.cfg.TLS)
	tc.SetDeadline(time.Now().Add(time.Minute))
	if err := tc.Handshake(); err != nil {
		c.log.Info("imap starttls failed", "err", err)
		return net.ErrClosed
	}
	tc.SetDeadline(time.Time{})
	c.nc, c.tls = tc, true
	c.setStreams(tc)
	return errReplied
}

func handleLogin(c *conn, cmd *command) error {
	var user, pass string
	if !c.dec.ExpectSP() || !c.dec.ExpectAString(&user) || !c.dec.ExpectSP() || !c.dec.ExpectAString(&pass) {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if !c.plaintextOK() {
		return no("PRIVACYREQUIRED", "LOGIN needs TLS: use STARTTLS or the imaps port")
	}
	return c.login(user, pass)
}

func handleAuthenticate(c *conn, cmd *command) error {
	var mech, initial string
	if !c.dec.ExpectSP() || !c.dec.ExpectAtom(&mech) {
		return c.dec.Err()
	}
	hasInitial := false
	if c.dec.SP() {
		if !c.dec.ExpectAString(&initial) {
			return c.dec.Err()
		}
		hasInitial = true
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if !c.plaintextOK() {
		return no("PRIVACYREQUIRED", "authentication needs TLS: use STARTTLS or the imaps port")
	}
	var user, pass string
	var srv sasl.Server
	switch strings.ToUpper(mech) {
	case "PLAIN":
		srv = sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && !strings.EqualFold(identity, username) {
				return errors.New("authorization identity differs from the user")
			}
			user, pass = username, password
			return nil
		})
	case "LOGIN":
		srv = &loginServer{done: func(username, password string) { user, pass = username, password }}
	default:
		return no("CANNOT", "unsupported authentication mechanism %s", mech)
	}
	var response []byte
	if hasInitial && initial != "=" {
		var err error
		if response, err = base64.StdEncoding.DecodeString(initial); err != nil {
			return bad("initial response is not base64")
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
		c.enc.Raw("+ ").Raw(base64.StdEncoding.EncodeToString(challenge)).CRLF()
		if err := c.flush(); err != nil {
			return err
		}
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if line == "*" {
			return bad("authentication cancelled")
		}
		if response, err = base64.StdEncoding.DecodeString(line); err != nil {
			return bad("response is not base64")
		}
	}
	return c.login(user, pass)
}

// readLine reads a client line outside the command grammar (SASL
// responses, IDLE's DONE), without its line end.
func (c *conn) readLine() (string, error) {
	var b strings.Builder
	for {
		ch, err := c.br.ReadByte()
		if err != nil {
			return "", err
		}
		if ch == '\n' {
			return strings.TrimSuffix(b.String(), "\r"), nil
		}
		if b.Len() > 64<<10 {
			return "", bad("line too long")
		}
		b.WriteByte(ch)
	}
}

// login checks credentials under the store's login limiter, which slows
// and then stops an address that keeps failing.
func (c *conn) login(user, pass string) error {
	a, err := c.srv.store.Login(c.ctx, c.remote, user, pass)
	var blocked *storage.LoginBlockedError
	switch {
	case errors.As(err, &blocked):
		return no("UNAVAILABLE", "%s", blocked.Error())
	case errors.Is(err, storage.ErrBadCredentials), errors.Is(err, storage.ErrAccountDisabled):
		return c.loginFailed()
	case err != nil:
		return err // the store failed: not the client's fault
	}
	c.account = a
	c.state = stateAuth
	c.sub = c.srv.store.Subscribe(a.ID, 1024)
	c.log = c.log.With("user", a.Address)
	c.log.Info("imap login")
	c.enc.Raw("* CAPABILITY ").Raw(strings.Join(c.capabilities(), " ")).CRLF()
	return nil
}

// loginFailed answers a failed login (the store already paused it).
func (c *conn) loginFailed() error {
	c.log.Info("imap login failed")
	return no("AUTHENTICATIONFAILED", "invalid credentials")
}

func handleID(c *conn, cmd *command) error {
	if !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	if !c.dec.NIL() {
		n := 0
		ok := c.dec.ExpectList(func() bool {
			var s string
			n++
			return c.dec.String(&s) || c.dec.NIL()
		})
		if !ok {
			return c.dec.Err()
		}
		if n%2 != 0 || n > 60 {
			return bad("ID takes field-value pairs (at most 30)")
		}
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	c.enc.Raw(`* ID ("name" "zest" "vendor" "zest")`).CRLF()
	return nil
}

// enableable lists what ENABLE can turn on (RFC 5161); extensions add to it.
var enableable = map[string]bool{
	"IMAP4REV2":   true, // RFC 9051 behaviour (ESEARCH answers, no \Recent)
	"UTF8=ACCEPT": true, // RFC 6855: UTF-8 mailbox names and quoted strings
	"CONDSTORE":   true, // RFC 7162 §3.1: MODSEQ in every FETCH
	"QRESYNC":     true, // RFC 7162 §3.2.3: VANISHED instead of EXPUNGE; implies CONDSTORE
}

// canonicalCapability spells an enabled capability as it is advertised.
var canonicalCapability = map[string]string{"IMAP4REV2": "IMAP4rev2", "UTF8=ACCEPT": "UTF8=ACCEPT", "CONDSTORE": "CONDSTORE", "QRESYNC": "QRESYNC"}

func handleEnable(c *conn, cmd *command) error {
	var names []string
	for c.dec.SP() {
		var s string
		if !c.dec.ExpectAtom(&s) {
			return c.dec.Err()
		}
		names = append(names, strings.ToUpper(s))
	}
	if len(names) == 0 {
		return bad("ENABLE needs at least one capability")
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	done := c.enable(names)
	if c.enabled["UTF8=ACCEPT"] {
		c.dec.UTF8, c.enc.UTF8 = true, true
	}
	c.enc.Raw("* ENABLED")
	for _, n := range done {
		c.enc.SP().Raw(n)
	}
	c.enc.CRLF()
	if len(done) > 0 {
		c.saveEffect("ENABLE", done...) // ST-07, ST-08
	}
	return nil
}

// enable turns on the named capabilities (upper case) and returns the
// ones the ENABLED response lists: every argument that is enabled now,
// whether or not it already was (RFC 7162 §3.2.3 lets ENABLE QRESYNC
// answer QRESYNC again), each once, in the order given.
func (c *conn) enable(names []string) []string {
	var done []string
	for _, n := range names {
		if !enableable[n] {
			continue
		}
		if canon, ok := canonicalCapability[n]; ok {
			n = canon
		}
		switch n {
		case "CONDSTORE":
			c.enableCondstore()
		case "QRESYNC":
			// QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
			c.enableCondstore()
		}
		c.enabled[n] = true
		if !slices.Contains(done, n) {
			done = append(done, n)
		}
	}
	return done
}

// enableCondstore makes this a CONDSTORE-enabled session (RFC 7162 §3.1).
// The first time, with a mailbox selected, the client learns the
// mailbox's HIGHESTMODSEQ right away (RFC 7162 §3.1, QR-10).
func (c *conn) enableCondstore() {
	if c.enabled["CONDSTORE"] {
		return
	}
	c.enabled["CONDSTORE"] = true
	if c.sel != nil {
		c.sel.writeHighestModSeq(c.enc)
	}
}

func handleNamespace(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	c.enc.Raw(`* NAMESPACE (("" "/")) NIL NIL`).CRLF()
	return nil
}

func handleUnauthenticate(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	c.sel = nil
	if c.sub != nil {
		c.sub.Close()
		c.sub = nil
	}
	c.account = nil
	c.state = stateNotAuth
	clear(c.enabled)
	c.releaseClient()
	c.saved = nil
	return nil
}

// handleIdle waits for changes and reports them as they come (RFC 2177)
// until the client sends DONE.
func handleIdle(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if err := c.sync(true); err != nil {
		return err
	}
	c.enc.Raw("+ idling").CRLF()
	if err := c.flush(); err != nil {
		return err
	}
	type lineResult struct {
		line string
		err  error
	}
	lines := make(chan lineResult, 1)
	c.nc.SetReadDeadline(time.Now().Add(c.srv.cfg.IdleTimeout))
	go func() {
		line, err := c.readLine()
		lines <- lineResult{line, err}
	}()
	c.waiting.Store(true)
	defer c.waiting.Store(false)
	for {
		select {
		case r := <-lines:
			if r.err != nil {
				return r.err
			}
			if !strings.EqualFold(strings.TrimSpace(r.line), "DONE") {
				return bad("expected DONE to end IDLE")
			}
			return nil
		case ev := <-c.sub.C:
			if err := c.syncWith(c.sel != nil && ev.Mailbox == c.sel.mailbox, true); err != nil {
				return err
			}
			if err := c.flush(); err != nil {
				return err
			}
		case <-c.wake:
			c.enc.Raw("* BYE server shutting down").CRLF()
			c.flush()
			c.nc.Close()
			<-lines
			return net.ErrClosed
		}
	}
}

// loginServer is the server side of the obsolete but widely used LOGIN SASL
// mechanism (draft-murchison-sasl-login): it asks for the user name, then
// the password. An initial response, when given, is the user name.
type loginServer struct {
	step     int
	username string
	done     func(username, password string)
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step++
		if response != nil {
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		l.done(l.username, string(response))
		return nil, true, nil
	}
	return nil, false, errors.New("LOGIN: unexpected response")
}
