package imap

import (
	"context"
	"strings"

	"zest/storage"
)

// importMessages adds n messages to alice's mailbox through Import (many
// per commit), as if a session had already seen them (not \Recent), and
// returns their UIDs.
func (e *testEnv) importMessages(mailbox string, n int) []storage.UID {
	e.t.Helper()
	ctx := context.Background()
	mb := e.mailbox(mailbox)
	msgs := make([]storage.ImportMessage, n)
	for i := range msgs {
		msgs[i].Raw = message(int(mb.UIDNext) + i)
	}
	uids, err := e.store.Import(ctx, e.alice.ID, mb.ID, msgs)
	if err != nil {
		e.t.Fatal(err)
	}
	if n > 0 {
		e.srv.recent.claim(mb.ID, uids[n-1], uids[0])
	}
	return uids
}

// mailbox reads one of alice's mailboxes from the store.
func (e *testEnv) mailbox(name string) *storage.Mailbox {
	e.t.Helper()
	mb, err := e.store.MailboxByName(context.Background(), e.alice.ID, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return mb
}

// modSeqOf reads a message's mod-sequence from the store.
func (e *testEnv) modSeqOf(mailbox string, uid storage.UID) uint64 {
	e.t.Helper()
	m, err := e.store.Message(context.Background(), e.alice.ID, e.mailbox(mailbox).ID, uid)
	if err != nil {
		e.t.Fatal(err)
	}
	return m.ModSeq
}

// setFlags changes flags as another session would.
func (e *testEnv) setFlags(mailbox string, op storage.FlagOp, flags string, uids ...storage.UID) {
	e.t.Helper()
	if _, err := e.store.StoreFlags(context.Background(), e.alice.ID, e.mailbox(mailbox).ID, uids, op, strings.Fields(flags), storage.Unconditional); err != nil {
		e.t.Fatal(err)
	}
}

// expungeUIDs expunges messages as another session would.
func (e *testEnv) expungeUIDs(mailbox string, uids ...storage.UID) {
	e.t.Helper()
	if _, err := e.store.Expunge(context.Background(), e.alice.ID, e.mailbox(mailbox).ID, uids); err != nil {
		e.t.Fatal(err)
	}
}

// do sends one command and returns the untagged lines before its tagged
// response, and that response.
func (r *rawConn) do(line string) (untagged []string, tagged string) {
	r.t.Helper()
	tag, _, _ := strings.Cut(line, " ")
	r.send(line)
	for {
		l := r.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, l
		}
		untagged = append(untagged, l)
	}
}
