package smtp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"zest/sieve"
	"zest/storage"
)

// Over SMTP one DATA reply stands for every recipient. When some were
// stored and others failed for good, the reply is 250 and the failures go
// back to the sender in a report queued as outbound mail: a delivery
// status notification (RFC 3464) for refusals, including a Sieve ereject
// (RFC 5429 §2.1.2, SV-31), and a message disposition notification with
// disposition "deleted" (RFC 8098) for a Sieve reject (RFC 5429 §2.2.1,
// SV-32). A null sender never gets one (RFC 5321 §4.5.5).

// failedRecipient is a recipient the reply could not refuse.
type failedRecipient struct {
	address string
	reply   string // the SMTP reply it would have had, "550 5.7.1 text"
	status  string // the enhanced status code, "5.7.1"
	reject  *rejected
}

// reportFor builds the report to the sender about failed, or nil when
// none is due. A Sieve reject gets an MDN of its own; every other failure
// is listed in one DSN.
func reportFor(host, id, from string, received time.Time, msg []byte, failed []failedRecipient) []storage.Outgoing {
	if from == "" || len(failed) == 0 {
		return nil
	}
	var out []storage.Outgoing
	var dsn []failedRecipient
	for _, f := range failed {
		if f.reject != nil && !f.reject.extended {
			out = append(out, storage.Outgoing{Origin: storage.OriginBounce, To: []string{from},
				Raw: rejectMDN(host, from, f, msg)})
			continue
		}
		dsn = append(dsn, f)
	}
	if len(dsn) > 0 {
		out = append(out, storage.Outgoing{Origin: storage.OriginBounce, To: []string{from},
			Raw: failureDSN(host, id, from, received, dsn, msg)})
	}
	return out
}

// reportWriter assembles a multipart/report message.
type reportWriter struct {
	b        bytes.Buffer
	boundary string
}

func newReport(host, from, subject, reportType string) *reportWriter {
	var r [12]byte
	_, _ = rand.Read(r[:])
	w := &reportWriter{boundary: "zest-report-" + hex.EncodeToString(r[:])}
	w.field("Auto-Submitted", "auto-replied")
	w.field("From", "Mail Delivery System <MAILER-DAEMON@"+host+">")
	w.field("To", "<"+from+">")
	w.field("Subject", subject)
	w.field("Date", time.Now().Format(time.RFC1123Z))
	w.field("Message-ID", "<"+hex.EncodeToString(r[:])+"@"+host+">")
	w.field("MIME-Version", "1.0")
	w.field("Content-Type", `multipart/report; report-type=`+reportType+`; boundary="`+w.boundary+`"`)
	w.b.WriteString("\r\n")
	return w
}

func (w *reportWriter) field(name, value string) {
	w.b.WriteString(name + ": " + value + "\r\n")
}

func (w *reportWriter) part(contentType, body string) {
	w.b.WriteString("--" + w.boundary + "\r\n")
	w.b.WriteString("Content-Type: " + contentType + "\r\n\r\n")
	w.b.WriteString(body)
	if !strings.HasSuffix(body, "\r\n") {
		w.b.WriteString("\r\n")
	}
}

func (w *reportWriter) bytes() []byte {
	w.b.WriteString("--" + w.boundary + "--\r\n")
	return w.b.Bytes()
}

// originalHeader is the header of msg, trace fields included, for the
// report's third part (RFC 3462 text/rfc822-headers).
func originalHeader(msg []byte) string {
	head := msg
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		head = msg[:i+2]
	}
	return string(head)
}

// messageID is the Message-ID field of msg, or "".
func messageID(msg []byte) string {
	if ids := sieve.NewRawMessage(msg).Header("message-id"); len(ids) > 0 {
		return strings.Join(strings.Fields(ids[0]), " ")
	}
	return ""
}

// asciiText makes a reason safe for a 7-bit report field.
func asciiText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

func failureDSN(host, id, from string, received time.Time, failed []failedRecipient, msg []byte) []byte {
	w := newReport(host, from, "Undelivered Mail Returned to Sender", "delivery-status")
	var text strings.Builder
	text.WriteString("Your message could not be delivered to every recipient.\r\n")
	text.WriteString("It was delivered to the others.\r\n\r\n")
	for _, f := range failed {
		fmt.Fprintf(&text, "<%s>: %s\r\n", f.address, f.reply)
	}
	w.part("text/plain; charset=utf-8", text.String())
	var st strings.Builder
	fmt.Fprintf(&st, "Reporting-MTA: dns; %s\r\nX-Zest-Queue-ID: %s\r\nArrival-Date: %s\r\n", host, id, received.Format(time.RFC1123Z))
	for _, f := range failed {
		fmt.Fprintf(&st, "\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: %s\r\nDiagnostic-Code: smtp; %s\r\n",
			f.address, f.status, asciiText(f.reply))
	}
	w.part("message/delivery-status", st.String())
	w.part("text/rfc822-headers", originalHeader(msg))
	return w.bytes()
}

func rejectMDN(host, from string, f failedRecipient, msg []byte) []byte {
	w := newReport(host, from, "Message rejected by "+f.address, "disposition-notification")
	reason := strings.ReplaceAll(strings.ReplaceAll(f.reject.reason, "\r\n", "\n"), "\n", "\r\n")
	w.part("text/plain; charset=utf-8", "Your message to <"+f.address+"> was rejected by the recipient's mail filter:\r\n\r\n"+reason+"\r\n")
	var d strings.Builder
	fmt.Fprintf(&d, "Reporting-UA: %s; zest\r\nFinal-Recipient: rfc822; %s\r\n", host, f.address)
	if id := messageID(msg); id != "" {
		fmt.Fprintf(&d, "Original-Message-ID: %s\r\n", id)
	}
	d.WriteString("Disposition: automatic-action/MDN-sent-automatically; deleted\r\n")
	w.part("message/disposition-notification", d.String())
	w.part("text/rfc822-headers", originalHeader(msg))
	return w.bytes()
}
