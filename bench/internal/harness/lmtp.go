package harness

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-smtp"
)

// LMTPConn is one persistent LMTP client connection.
type LMTPConn struct {
	c *smtp.Client
}

// DialLMTP connects to an LMTP server and says LHLO.
func DialLMTP(addr string) (*LMTPConn, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c := smtp.NewClientLMTP(conn)
	c.CommandTimeout = 30 * time.Second
	c.SubmissionTimeout = 60 * time.Second
	if err := c.Hello("bench-client.local"); err != nil {
		c.Close()
		return nil, fmt.Errorf("LHLO: %w", err)
	}
	return &LMTPConn{c: c}, nil
}

// Deliver runs one LMTP transaction: MAIL, RCPT, DATA, and reads the
// per-recipient reply. Only a 2xx reply for the recipient is a success.
func (l *LMTPConn) Deliver(from, to string, msg []byte) error {
	if err := l.c.Mail(from, nil); err != nil {
		return fmt.Errorf("MAIL: %w", err)
	}
	if err := l.c.Rcpt(to, nil); err != nil {
		return fmt.Errorf("RCPT: %w", err)
	}
	w, err := l.c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA write: %w", err)
	}
	resp, err := w.CloseWithLMTPResponse()
	if err != nil {
		// go-smtp expects exactly 250; accept any other 2xx per-recipient reply.
		var lerr smtp.LMTPDataError
		if errors.As(err, &lerr) {
			if e, ok := lerr[to]; ok && e.Code/100 == 2 && len(lerr) == 1 {
				return nil
			}
		}
		return fmt.Errorf("end of DATA: %w", err)
	}
	if _, ok := resp[to]; !ok {
		return errors.New("end of DATA: no reply for the recipient")
	}
	return nil
}

// Close says QUIT and closes the connection.
func (l *LMTPConn) Close() {
	_ = l.c.Quit()
	_ = l.c.Close()
}
