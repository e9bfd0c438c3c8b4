package smtp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	gosmtp "github.com/emersion/go-smtp"

	"zest/storage"
)

// Replies. go-smtp recognises a reply by type assertion on *SMTPError
// (not errors.As), so sessions return these bare values; the cause of a
// failure goes to the log, never to the client.
var (
	errRelayDenied = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1},
		Message: "Relaying denied: this server accepts mail only for its own domains"}
	errNoSuchUser = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1},
		Message: "No such user here"}
	errMailboxGone = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1},
		Message: "Mailbox no longer exists"}
	errDisabled = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 2, 1},
		Message: "Mailbox disabled, not accepting messages"}
	errMailboxBusy = &gosmtp.SMTPError{Code: 450, EnhancedCode: gosmtp.EnhancedCode{4, 2, 0},
		Message: "Mailbox temporarily unavailable, try again later"}
	errMailboxFull = &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 2, 2},
		Message: "Mailbox cannot take more messages now"}
	errSystemFull = &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1},
		Message: "Insufficient system storage, try again later"}
	errBusy = &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 2},
		Message: "Too much mail in progress, try again later"}
	errLocalFailure = &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0},
		Message: "Temporary local problem storing mail, try again later"}
	errShuttingDown = &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 3, 2},
		Message: "Service shutting down, try again later"}
	errNestedMail = &gosmtp.SMTPError{Code: 503, EnhancedCode: gosmtp.EnhancedCode{5, 5, 1},
		Message: "Nested MAIL command: a transaction is already open"}
	errNeedMail = &gosmtp.SMTPError{Code: 503, EnhancedCode: gosmtp.EnhancedCode{5, 5, 1},
		Message: "Need MAIL command first"}
	errBadSender = &gosmtp.SMTPError{Code: 501, EnhancedCode: gosmtp.EnhancedCode{5, 1, 7},
		Message: "Bad sender address syntax"}
	errBadRecipient = &gosmtp.SMTPError{Code: 501, EnhancedCode: gosmtp.EnhancedCode{5, 1, 3},
		Message: "Bad recipient address syntax"}
	errNeedUTF8 = &gosmtp.SMTPError{Code: 553, EnhancedCode: gosmtp.EnhancedCode{5, 6, 7},
		Message: "Non-ASCII address not permitted without SMTPUTF8"}
	errLineTooLong = &gosmtp.SMTPError{Code: 500, EnhancedCode: gosmtp.EnhancedCode{5, 5, 6},
		Message: "Message has a line that is too long"}
	errTimeout = &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 4, 2},
		Message: "Timeout waiting for the message"}
	errIncomplete = &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 4, 0},
		Message: "Message incomplete: the connection ended before its end"}
	errNoStatus = &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0},
		Message: "No delivery status for this recipient, try again later"}
)

// errTooBig is the reply to a message over the size limit.
func errTooBig(limit int64) *gosmtp.SMTPError {
	return &gosmtp.SMTPError{Code: 552, EnhancedCode: gosmtp.EnhancedCode{5, 3, 4},
		Message: fmt.Sprintf("Message exceeds the maximum size of %d bytes", limit)}
}

// delivered is the reply for a recipient whose copy is durable. go-smtp
// writes the code and text of an *SMTPError returned from Data whatever the
// code, which is how the transaction id reaches the client.
func delivered(id string) *gosmtp.SMTPError {
	return &gosmtp.SMTPError{Code: 250, EnhancedCode: gosmtp.EnhancedCode{2, 0, 0},
		Message: "Ok: delivered as " + id}
}

// storeFailure marks an error of the store itself (I/O, disk full, closed),
// as opposed to an answer about a recipient: always a temporary failure.
type storeFailure struct{ err error }

func (e *storeFailure) Error() string { return "store: " + e.err.Error() }
func (e *storeFailure) Unwrap() error { return e.err }

// reply turns an error from a session, the store or the connection into
// the reply the client gets. It is the only place that does, so every
// failure is answered the same way in both roles and in RCPT, DATA and
// BDAT. Anything it does not know is a temporary local failure: the client
// retries later and nothing is lost.
func reply(err error, maxBytes int64) *gosmtp.SMTPError {
	var se *gosmtp.SMTPError
	var sf *storeFailure
	var ne net.Error
	var rj *rejected
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rj):
		return rejectReply(rj.reason)
	case errors.Is(err, storage.ErrDiskFull):
		return errSystemFull
	case errors.Is(err, errMemoryBudget):
		return errBusy
	case errors.As(err, &sf):
		return errLocalFailure
	case errors.As(err, &se) && se == gosmtp.ErrDataTooLarge:
		return errTooBig(maxBytes)
	case errors.As(err, &se):
		return se
	case errors.Is(err, storage.ErrNotLocal):
		return errRelayDenied
	case errors.Is(err, storage.ErrUnknownRecipient):
		return errNoSuchUser
	case errors.Is(err, storage.ErrAccountDisabled):
		return errDisabled
	case errors.Is(err, storage.ErrNotFound):
		// The account went away between RCPT and the end of DATA.
		return errMailboxGone
	case errors.Is(err, storage.ErrNoSuchMailbox):
		return errMailboxBusy
	case errors.Is(err, storage.ErrUIDSpaceExhausted):
		return errMailboxFull
	case errors.Is(err, gosmtp.ErrTooLongLine):
		return errLineTooLong
	case errors.As(err, &ne) && ne.Timeout():
		return errTimeout
	case errors.Is(err, gosmtp.ErrDataReset), errors.Is(err, io.ErrUnexpectedEOF):
		return errIncomplete
	}
	return errLocalFailure
}

// temporary reports whether a reply asks the client to try again.
func temporary(r *gosmtp.SMTPError) bool { return r != nil && r.Code/100 == 4 }

// rejectReply is the refusal for a Sieve reject or ereject: 550 5.7.1 with
// the script's reason (RFC 5429 §2.1.1, SV-30). A reason of several lines
// becomes a multi-line reply, and a long line is wrapped at spaces to stay
// within the 512-octet reply line of RFC 5321 §4.5.3.1.5. A reason that is
// not ASCII (zest offers no UTF-8 replies) or is too long for a reply is
// replaced by a fixed text.
func rejectReply(reason string) *gosmtp.SMTPError {
	const fixed = "Rejected by the recipient's mail filter"
	lines, ok := replyLines(reason)
	text := strings.Join(lines, "\n")
	if !ok || text == "" {
		text = fixed
	}
	return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: text}
}

// replyLines splits a reject reason into reply lines, and says whether it
// fits: printable ASCII, at most maxReplyLines lines of at most
// maxReplyText octets.
func replyLines(reason string) ([]string, bool) {
	const maxReplyText, maxReplyLines = 400, 20
	if !asciiPrintable(reason) {
		return nil, false
	}
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(reason, "\r\n", "\n"), "\n") {
		words := strings.Fields(line)
		cur := ""
		for _, w := range words {
			if len(w) > maxReplyText {
				return nil, false
			}
			if cur != "" && len(cur)+1+len(w) > maxReplyText {
				out = append(out, cur)
				cur = ""
			}
			if cur != "" {
				cur += " "
			}
			cur += w
		}
		if cur != "" {
			out = append(out, cur)
		}
	}
	return out, len(out) <= maxReplyLines
}

// fitsReply says whether a reject reason can be given in the SMTP or LMTP
// reply itself.
func fitsReply(reason string) bool {
	lines, ok := replyLines(reason)
	return ok && len(lines) > 0
}

// asciiPrintable reports whether s is printable ASCII, line breaks and
// tabs allowed.
func asciiPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}
