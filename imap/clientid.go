package imap

import (
	"context"
	"errors"
	"time"

	"zest/storage"
)

// CLIENTID (draft-ordogh-lemonade-clientid-00, capability
// X-DRAFT-CLIENTID-00): a client asks once for a server-issued ID and
// presents it in later sessions, so the server knows which device is
// online (the store's online registry) and can keep data per device.

var clientIDCommands = map[string]commandSpec{
	// Authenticated and selected state: every ID belongs to an account (CI-02).
	"CLIENTID": {states: authed, handle: handleClientID},
}

// maxDisclosedClientID bounds a disclosed ID; longer ones are refused as
// syntax errors, since the server never issues them (CI-07).
const maxDisclosedClientID = 256

// errUnknownClientID answers the same for an ID never issued, issued to
// another account, or removed, so no other account's ID can be probed
// (CI-18).
var errUnknownClientID = &respError{status: "BAD", code: "NONEXISTENT", text: "unknown Client-ID"}

func handleClientID(c *conn, cmd *command) error {
	// CI-05, CI-06, CI-09: nothing, or exactly one quoted string.
	var id string
	disclosed := c.dec.SP()
	if disclosed {
		if !c.dec.Quoted(&id) {
			if err := c.dec.Err(); err != nil {
				return err
			}
			return bad("the Client-ID must be a quoted string")
		}
	}
	if err := c.endOfArgs(); err != nil {
		return err
	}
	switch {
	case disclosed && id == "":
		return bad("the Client-ID must not be empty")
	case len(id) > maxDisclosedClientID:
		return bad("the Client-ID is longer than %d octets", maxDisclosedClientID)
	case c.client != nil:
		return no("", "this session already uses a Client-ID") // CI-20
	}
	if !disclosed {
		lease, err := c.srv.store.NewClient(c.ctx, c.account.ID)
		if err != nil {
			return err
		}
		c.client = lease
		// The ID is on disk (CI-13); it is the only untagged response
		// before the tagged OK (CI-11, CI-12).
		c.enc.Raw(`* "`).Raw(lease.ID).Raw(`"`).CRLF()
		c.holdUpdates = true
		c.saveEffect("CLIENTID", lease.ID) // CI-32
		return nil
	}
	lease, err := c.srv.store.UseClient(c.ctx, c.account.ID, id)
	if errors.Is(err, storage.ErrNoSuchClient) {
		return errUnknownClientID
	}
	if err != nil {
		return err
	}
	c.client = lease // CI-16
	c.saveEffect("CLIENTID", lease.ID)
	return nil
}

// releaseClient ends the session's use of its Client-ID, if any: the
// client goes offline when no other session uses it (CI-28).
func (c *conn) releaseClient() {
	if c.client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.client.Release(ctx); err != nil && !errors.Is(err, storage.ErrClosed) {
		c.log.Warn("imap client ID release", "err", err)
	}
	c.client = nil
}
