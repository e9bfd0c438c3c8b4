package storage

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"zest/storage/mimeinfo"
)

// ImportMessage is one message for Import.
type ImportMessage struct {
	Raw          []byte
	Flags        []string
	InternalDate time.Time // zero means now
}

// importBatchBytes bounds the bytes one Import commit writes, so a large
// import is many moderate transactions instead of one huge one.
const (
	importBatchBytes = 1 << 20
	importBatchCount = 500
)

// Import adds many messages to one mailbox, in order, many per commit: the
// path for bulk loads (migrations, restores, tests of large mailboxes),
// where one commit per message would spend all its time in fsync. UIDs are
// assigned in the order given, each above every UID the mailbox ever had
// (MONOINCUID). It returns the UIDs assigned; on error, the messages of the
// commits that succeeded stay imported and their UIDs are returned.
func (s *Store) Import(ctx context.Context, a AccountID, mbID MailboxID, msgs []ImportMessage) ([]UID, error) {
	type prepared struct {
		hash  BlobHash
		info  []byte
		hlen  int
		flags Flags
		date  time.Time
	}
	var out []UID
	for len(msgs) > 0 {
		n, bytes := 0, int64(0)
		for n < len(msgs) && (n == 0 || bytes+int64(len(msgs[n].Raw)) <= importBatchBytes) && n < importBatchCount {
			bytes += int64(len(msgs[n].Raw))
			n++
		}
		batch := msgs[:n]
		msgs = msgs[n:]
		prep := make([]prepared, len(batch))
		for i, m := range batch {
			parsed := mimeinfo.Parse(m.Raw)
			prep[i] = prepared{
				hash: BlobHash(sha256.Sum256(m.Raw)), info: parsed.AppendBinary(nil), hlen: parsed.HeaderLen,
				flags: ParseFlags(m.Flags), date: m.InternalDate,
			}
			if prep[i].date.IsZero() {
				prep[i].date = s.now()
			}
		}
		var uids []UID
		err := s.writeSized(ctx, "import", 2*bytes+int64(n)*1024, func(tx *wtx) error {
			uids = uids[:0]
			mb, err := readMailbox(tx, a, mbID)
			if err != nil {
				return err
			}
			modseq := mb.HighestModSeq + 1
			for i, m := range batch {
				p := &prep[i]
				msg, err := tx.addMessage(mb, p.hash, int64(len(m.Raw)), p.flags, p.date, modseq)
				if err != nil {
					return err
				}
				if err := tx.storeBlob(p.hash, m.Raw, p.info, p.hlen, 1); err != nil {
					return err
				}
				uids = append(uids, msg.UID)
			}
			tx.emit(Event{Kind: MessageAppend, Account: a, Mailbox: mb.ID, MailboxName: mb.Name, UIDValidity: mb.UIDValidity, UIDs: slices.Clone(uids), ModSeq: mb.HighestModSeq})
			return tx.putMailbox(mb)
		})
		if err != nil {
			return out, fmt.Errorf("import into mailbox %d: %w", mbID, err)
		}
		out = append(out, uids...)
	}
	return out, nil
}
