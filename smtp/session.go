package smtp

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	gosmtp "github.com/emersion/go-smtp"

	"zest/storage/mimeinfo"
)

// backend is a go-smtp Backend: one per role, one session per connection
// (and a new one after STARTTLS).
type backend struct {
	srv  *Server
	role role
}

var _ gosmtp.Backend = (*backend)(nil)

func (b *backend) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	tc, err := transport(c.Conn())
	if err != nil {
		b.srv.log.Error("smtp session", "err", err)
		return nil, errLocalFailure
	}
	if b.srv.conns.isShuttingDown() {
		tc.closeAfterReply()
		return nil, errShuttingDown
	}
	tc.setTop(c.Conn())
	s := &session{srv: b.srv, role: b.role, gc: c, conn: tc}
	if st, ok := c.TLSConnectionState(); ok {
		s.tls = &st
	}
	s.log = b.srv.log.With("role", b.role.String(), "remote", c.Conn().RemoteAddr().String())
	return s, nil
}

// session is one client's conversation after EHLO/LHLO. go-smtp checks the
// order of commands and the size limit; the session checks addresses,
// resolves recipients, stores the message and chooses every reply.
type session struct {
	srv  *Server
	role role
	gc   *gosmtp.Conn
	conn *trackedConn
	tls  *tls.ConnectionState
	log  *slog.Logger

	// mu guards tx: under BDAT, Data runs in a goroutine of its own while
	// go-smtp may reset the session.
	mu sync.Mutex
	tx *delivery
}

var (
	_ gosmtp.Session     = (*session)(nil)
	_ gosmtp.LMTPSession = (*session)(nil)
)

// Mail opens a transaction.
func (s *session) Mail(from string, opts *gosmtp.MailOptions) error {
	utf8 := opts != nil && opts.UTF8
	if err := checkAddress(from, utf8, errBadSender); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx != nil {
		// go-smtp lets MAIL through mid-transaction, keeping the earlier
		// recipients in its own list; refuse, or LMTP replies would no
		// longer match the recipients.
		return errNestedMail
	}
	var size int64
	if opts != nil {
		size = opts.Size
	}
	// Refuse before the client sends anything when the disk cannot take
	// the message (RFC 3463 X.3.1), as Postfix does below queue_minfree.
	if sc, ok := s.srv.store.(spaceChecker); ok {
		if err := sc.CheckSpace(max(size, 0)); err != nil {
			s.log.Error("sender refused", "from", from, "err", err)
			return reply(err, s.srv.cfg.MaxMessageBytes)
		}
	}
	if !s.conn.beginTxn() {
		s.conn.closeAfterReply()
		return errShuttingDown
	}
	s.tx = newDelivery(s.srv.store, from, s.gc.Hostname(), utf8, size)
	s.tx.filter, s.tx.log = s.srv.cfg.Filter, s.srv.log
	s.tx.remote = s.gc.Conn().RemoteAddr()
	s.tx.host = s.srv.cfg.Hostname
	return nil
}

// Rcpt resolves a recipient and accepts it only if it is local and
// receives mail, so nothing is accepted that would have to bounce later.
func (s *session) Rcpt(to string, opts *gosmtp.RcptOptions) error {
	s.mu.Lock()
	tx := s.tx
	s.mu.Unlock()
	if tx == nil {
		return errNeedMail // go-smtp sends RCPT only after MAIL
	}
	if err := checkAddress(to, tx.utf8, errBadRecipient); err != nil {
		return err
	}
	if err := tx.addRecipient(s.srv.ctx, to); err != nil {
		r := reply(err, s.srv.cfg.MaxMessageBytes)
		level := slog.LevelInfo
		if temporary(r) {
			level = slog.LevelError
		}
		s.log.Log(s.srv.ctx, level, "recipient refused", "id", tx.id, "from", tx.from, "rcpt", to, "result", replyCode(r), "err", err)
		s.journal(tx, to, r)
		return r
	}
	return nil
}

// Data receives the message over SMTP: one reply stands for every
// recipient. A temporary failure for any of them asks for a retry, which may
// duplicate the copies already stored (better than losing one); a
// permanent failure for some while others were stored is answered 250 and
// reported to the sender in a DSN or MDN (bounce.go).
func (s *session) Data(r io.Reader) error {
	tx, replies, whole := s.receive(r)
	if whole != nil {
		return whole
	}
	var ok *gosmtp.SMTPError
	for _, rep := range replies {
		if temporary(rep) {
			return rep
		}
		if rep.Code/100 == 2 && ok == nil {
			ok = rep
		}
	}
	if ok == nil {
		return replies[0]
	}
	if err := s.reportFailures(tx, replies); err != nil {
		// Without the report the refusals would vanish: ask the client
		// to try again later, as for any failure to store.
		s.log.Warn("queueing a delivery report failed", "id", tx.id, "err", err)
		return reply(&storeFailure{err}, 0)
	}
	return ok
}

// reportFailures queues the report to the sender about the recipients
// that failed for good while others were stored (bounce.go).
func (s *session) reportFailures(tx *delivery, replies []*gosmtp.SMTPError) error {
	var failed []failedRecipient
	for i, rep := range replies {
		if rep.Code/100 != 5 {
			continue
		}
		f := failedRecipient{address: tx.rcpts[i].address,
			reply:  fmt.Sprintf("%d %d.%d.%d %s", rep.Code, rep.EnhancedCode[0], rep.EnhancedCode[1], rep.EnhancedCode[2], rep.Message),
			status: fmt.Sprintf("%d.%d.%d", rep.EnhancedCode[0], rep.EnhancedCode[1], rep.EnhancedCode[2])}
		var rj *rejected
		if errors.As(tx.outcomes[i], &rj) {
			f.reject = rj
		}
		failed = append(failed, f)
	}
	reports := reportFor(s.srv.cfg.Hostname, tx.id, tx.from, tx.received, tx.msg, failed)
	if len(reports) == 0 {
		return nil
	}
	_, err := tx.store.Enqueue(s.srv.ctx, reports...)
	return err
}

// LMTPData receives the message over LMTP: one reply per RCPT, repeats
// included (RFC 2033 §4.2).
func (s *session) LMTPData(r io.Reader, status gosmtp.StatusCollector) error {
	tx, replies, whole := s.receive(r)
	if whole != nil {
		return whole
	}
	for i, rep := range replies {
		status.SetStatus(tx.rcpts[i].address, rep)
	}
	// A recipient left without a status would get this, never a 250.
	return errNoStatus
}

// receive reads the message and stores it. It returns one reply per
// recipient, or whole when the message itself was refused (too big, cut
// short, unreadable).
func (s *session) receive(r io.Reader) (tx *delivery, replies []*gosmtp.SMTPError, whole *gosmtp.SMTPError) {
	s.mu.Lock()
	tx = s.tx
	s.mu.Unlock()
	if tx == nil || len(tx.rcpts) == 0 {
		return nil, nil, errNoStatus // go-smtp checks MAIL and RCPT before DATA
	}
	received := time.Now()
	budget := &budgetReader{r: r, mem: s.srv.mem, wait: s.srv.budgetWait, ctx: s.srv.ctx}
	defer budget.release()
	msg, err := s.read(budget, tx, received)
	if _, bdat := r.(*io.PipeReader); err == nil && bdat && s.conn.sawEOF() {
		// go-smtp treats a BDAT chunk cut short by the end of the
		// connection as complete; a message whose end cannot be known
		// is never stored.
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		whole = reply(err, s.srv.cfg.MaxMessageBytes)
		for _, rc := range tx.rcpts {
			s.logOutcome(tx, rc.address, len(msg), whole, err)
		}
		return tx, nil, whole
	}
	outcomes, stored := tx.commit(s.srv.ctx, msg)
	tx.msg, tx.received, tx.outcomes = msg, received, outcomes
	for _, st := range stored {
		if st.Err != nil {
			s.log.Warn("delivery to account failed", "id", tx.id, "account", st.Account, "err", st.Err)
		}
	}
	replies = make([]*gosmtp.SMTPError, len(outcomes))
	for i, o := range outcomes {
		replies[i] = delivered(tx.id)
		if o != nil {
			replies[i] = reply(o, s.srv.cfg.MaxMessageBytes)
		}
		s.logOutcome(tx, tx.rcpts[i].address, len(msg), replies[i], o)
	}
	return tx, replies, nil
}

// read reads the message after the trace headers. The headers are known
// before the first byte arrives, so the body is read once into its final
// buffer and every recipient gets the same bytes.
func (s *session) read(r io.Reader, tx *delivery, now time.Time) ([]byte, error) {
	t := trace{
		from:   tx.from,
		rcpts:  tx.addresses(),
		helo:   tx.helo,
		remote: s.gc.Conn().RemoteAddr(),
		by:     s.srv.cfg.Hostname,
		lmtp:   s.role == roleLMTP,
		utf8:   tx.utf8,
		tls:    s.tls,
		id:     tx.id,
		date:   now,
	}
	head := t.headers()
	// SIZE is the client's word: use it to size the buffer, but do not
	// let it make us allocate much before the data arrives.
	hint := min(max(tx.size, 0), 1<<20)
	buf := bytes.NewBuffer(make([]byte, 0, int64(len(head))+hint+bytes.MinRead))
	buf.Write(head)
	if _, err := buf.ReadFrom(r); err != nil {
		return buf.Bytes(), err
	}
	msg := buf.Bytes()
	if body := mimeinfo.CRLF(msg[len(head):]); len(body) != len(msg)-len(head) {
		msg = append(head, body...)
	}
	return msg, nil
}

func (s *session) logOutcome(tx *delivery, rcpt string, size int, rep *gosmtp.SMTPError, cause error) {
	level := slog.LevelInfo
	switch {
	case temporary(rep):
		level = slog.LevelError
	case rep.Code/100 == 5:
		level = slog.LevelWarn
	}
	attrs := []any{"id", tx.id, "from", tx.from, "rcpt", rcpt, "size", size,
		"result", replyCode(rep), "duration", time.Since(tx.started).Round(time.Millisecond)}
	if cause != nil {
		attrs = append(attrs, "err", cause)
	}
	s.log.Log(s.srv.ctx, level, "delivery", attrs...)
	s.journal(tx, rcpt, rep)
}

// journal records an outcome in Config.Journal, if there is one.
func (s *session) journal(tx *delivery, rcpt string, rep *gosmtp.SMTPError) {
	j := s.srv.cfg.Journal
	if j == nil {
		return
	}
	e := JournalEntry{Time: time.Now(), From: tx.from, To: rcpt, Delivered: rep != nil && rep.Code/100 == 2}
	if rep != nil {
		e.Reply = strings.TrimSpace(replyCode(rep) + " " + rep.Message)
	}
	j.Record(e)
}

// Reset ends the transaction, after its final reply or on RSET and EHLO.
func (s *session) Reset() {
	s.mu.Lock()
	s.tx = nil
	s.mu.Unlock()
	s.conn.endTxn()
}

// Logout ends the session: the connection closes, or STARTTLS replaces
// the session with a new one.
func (s *session) Logout() error {
	s.mu.Lock()
	s.tx = nil
	s.mu.Unlock()
	// Until the next EHLO the reply stream (TLS or not) is unknown here.
	s.conn.setTop(nil)
	s.conn.endTxn()
	return nil
}

// checkAddress refuses a MAIL or RCPT address go-smtp's parser lets
// through but that cannot be delivered or put in a header: control
// characters (NUL included), invalid UTF-8, and non-ASCII without
// SMTPUTF8 (RFC 6531 §3.5).
func checkAddress(addr string, utf8Param bool, bad *gosmtp.SMTPError) error {
	if len(addr) > 320 || !utf8.ValidString(addr) {
		return bad
	}
	ascii := true
	for _, r := range addr {
		if r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return bad
		}
		ascii = ascii && r < utf8.RuneSelf
	}
	if !ascii && !utf8Param {
		return errNeedUTF8
	}
	return nil
}

// replyCode is a reply's codes for the log, e.g. "550 5.1.1".
func replyCode(r *gosmtp.SMTPError) string {
	if r == nil {
		return ""
	}
	ec := r.EnhancedCode
	return strings.TrimSpace(fmt.Sprintf("%d %d.%d.%d", r.Code, ec[0], ec[1], ec[2]))
}
