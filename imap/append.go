package imap

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"zest/imap/wire"
	"zest/storage"
	"zest/storage/mimeinfo"
)

var appendCommands = map[string]commandSpec{
	"APPEND": {states: authed, handle: handleAppend},
}

// handleAppend answers APPEND mailbox [(flags)] [date-time] literal (RFC 3501
// §6.3.11) with UIDPLUS's APPENDUID (RFC 4315 §3). The message may come as
// a literal8 (RFC 3516 BINARY); its size is bounded by APPENDLIMIT (RFC 7889).
func handleAppend(c *conn, cmd *command) error {
	var (
		name   string
		flags  []string
		date   time.Time
		raw    []byte
		binary bool
	)
	if !c.dec.ExpectSP() || !c.dec.ExpectMailbox(&name) || !c.dec.ExpectSP() {
		return c.dec.Err()
	}
	if c.dec.Peek('(') {
		var err error
		if flags, err = c.readStoreFlags(); err != nil {
			return err
		}
		if !c.dec.ExpectSP() {
			return c.dec.Err()
		}
	}
	if c.dec.Peek('"') {
		if !c.dec.ExpectDateTime(&date) || !c.dec.ExpectSP() {
			return c.dec.Err()
		}
	}
	// RFC 6855 §4: with UTF8=ACCEPT the message may come as
	// UTF8 (literal8), carrying a message with UTF-8 headers.
	var word string
	utf8Form := c.dec.Peek('U') || c.dec.Peek('u')
	if utf8Form {
		if !c.dec.ExpectAtom(&word) || !strings.EqualFold(word, "UTF8") || !c.dec.ExpectSP() || !c.dec.ExpectSpecial('(') {
			if c.dec.Err() == nil {
				c.dec.Failf("expected UTF8 (literal8)")
			}
			return c.dec.Err()
		}
		if !c.enabled["UTF8=ACCEPT"] {
			c.dec.Failf("APPEND UTF8 needs ENABLE UTF8=ACCEPT first")
			return c.dec.Err()
		}
	}
	if !c.dec.Literal8(&raw, &binary) {
		var big *wire.LiteralTooBigError
		if err := c.dec.Err(); errors.As(err, &big) && !big.NonSync {
			// Nothing was sent yet: refuse the message, not the command
			// (RFC 7889 §4, RFC 9051 §7.1 TOOBIG).
			return no("TOOBIG", "the message is larger than the APPENDLIMIT of %d bytes", big.Max)
		}
		if c.dec.Err() == nil {
			c.dec.Failf("expected the message as a literal")
		}
		return c.dec.Err()
	}
	if utf8Form && !c.dec.ExpectSpecial(')') {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	if len(raw) == 0 {
		return no("CANNOT", "an empty message cannot be appended")
	}
	raw = mimeinfo.CRLF(raw) // the stored part offsets must match what FETCH sends
	if date.IsZero() {
		date = time.Now()
	}
	mb, err := c.srv.store.MailboxByName(c.ctx, c.account.ID, name)
	if errors.Is(err, storage.ErrNoSuchMailbox) {
		// RFC 3501 §6.3.11: the client may create it and try again.
		return no("TRYCREATE", "no mailbox %s", name)
	}
	if err != nil {
		return err
	}
	res, err := c.srv.store.Deliver(c.ctx, storage.Incoming{Raw: raw, InternalDate: date, Kind: storage.MessageAppend},
		[]storage.Target{{Account: c.account.ID, Mailbox: mb.Name, Flags: flags}})
	if err != nil {
		return err
	}
	if err := res[0].Err; err != nil {
		if errors.Is(err, storage.ErrNoSuchMailbox) {
			return no("TRYCREATE", "no mailbox %s", name) // deleted meanwhile
		}
		return err
	}
	return &respError{status: "OK", code: fmt.Sprintf("APPENDUID %d %d", res[0].UIDValidity, res[0].UID), text: "APPEND completed"}
}
