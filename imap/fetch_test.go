package imap

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

// fetchSimple is the message behind RFC 3501 §7.4.2's ENVELOPE example.
const fetchSimple = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n" +
	"From: Terry Gray <gray@cac.washington.edu>\r\n" +
	"Subject: IMAP4rev1 WG mtg summary and minutes\r\n" +
	"To: imap@cac.washington.edu\r\n" +
	"cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n" +
	"Message-Id: <B27397-0100000@cac.washington.edu>\r\n" +
	"X-Long: one\r\n two\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
	"\r\n" +
	"Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"

// fetchMultipart has a multipart/alternative, a base64 attachment holding
// NUL bytes and a message/rfc822 part.
const fetchMultipart = "From: Alice <alice@example.org>\r\n" +
	"To: Bob <bob@example.net>, undisclosed-recipients:;\r\n" +
	"Cc: team: Dan <dan@example.com>, eve@example.com;\r\n" +
	"Subject: parts\r\n" +
	"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n" +
	"Message-ID: <mp@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"outer\"\r\n" +
	"\r\n" +
	"preamble\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=alt\r\n" +
	"\r\n" +
	"--alt\r\n" +
	"\r\n" +
	"Hello world\r\n" +
	"--alt\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>Caf=C3=A9 =\r\n" +
	"ok</p>\r\n" +
	"--alt--\r\n" +
	"--outer\r\n" +
	"Content-Type: application/octet-stream; name=\"a.bin\"\r\n" +
	"Content-Disposition: attachment; filename=\"a.bin\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"Content-Language: en\r\n" +
	"Content-Location: http://example.org/a.bin\r\n" +
	"Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n" +
	"\r\n" +
	"AAECAwQ=\r\n" +
	"--outer\r\n" +
	"Content-Type: message/rfc822\r\n" +
	"\r\n" +
	"From: Carol <carol@example.com>\r\n" +
	"Subject: inner\r\n" +
	"Date: Tue, 3 Nov 2026 11:00:00 +0100\r\n" +
	"\r\n" +
	"Inner body.\r\n" +
	"--outer--\r\n" +
	"epilogue\r\n"

var fetchDate = time.Date(2026, 11, 2, 10, 0, 0, 0, time.FixedZone("", 3600))

// fetchDeliverAt stores raw messages in INBOX with a fixed internal date.
func fetchDeliverAt(e *testEnv, raws ...string) {
	e.t.Helper()
	for _, raw := range raws {
		res, err := e.store.Deliver(context.Background(), storage.Incoming{Raw: []byte(raw), InternalDate: fetchDate}, []storage.Target{{Account: e.alice.ID}})
		if err != nil || res[0].Err != nil {
			e.t.Fatalf("deliver: %v %v", err, res)
		}
		e.srv.recent.claim(res[0].MailboxID, res[0].UID, res[0].UID) // seen by another session: not \Recent here
	}
}

// fetchResponses reads responses until the tagged one, with literals
// inlined as they were sent ("{n}\r\n" + bytes), and returns the untagged
// responses and the tagged line.
func fetchResponses(r *rawConn, tag string) ([]string, string) {
	r.t.Helper()
	var out []string
	for {
		var b strings.Builder
		for {
			l := r.line()
			b.WriteString(l)
			n, ok := fetchLiteralSize(l)
			if !ok {
				break
			}
			b.WriteString("\r\n")
			buf := make([]byte, n)
			r.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(r.r, buf); err != nil {
				r.t.Fatal(err)
			}
			b.Write(buf)
		}
		s := b.String()
		if strings.HasPrefix(s, tag+" ") {
			return out, s
		}
		out = append(out, s)
	}
}

func fetchLiteralSize(l string) (int, bool) {
	if !strings.HasSuffix(l, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(l, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(l[i+1 : len(l)-1])
	return n, err == nil
}

// fetchOne runs one command and expects exactly the given untagged
// responses and an OK.
func fetchOne(t *testing.T, r *rawConn, cmd string, want ...string) {
	t.Helper()
	r.send("F " + cmd)
	got, tagged := fetchResponses(r, "F")
	if !strings.HasPrefix(tagged, "F OK") {
		t.Errorf("%s: got %q", cmd, tagged)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", cmd, got, want)
	}
}

func fetchSelect(r *rawConn, verb string) {
	r.send("S " + verb + " INBOX")
	r.untilTagged("S OK")
}

const (
	simpleEnvelope = `ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" ` +
		`(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ` +
		`(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ` +
		`((NIL NIL "minutes" "CNRI.Reston.VA.US") ("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL ` +
		`"<B27397-0100000@cac.washington.edu>")`
	simpleBody      = `("text" "plain" ("charset" "US-ASCII") NIL NIL "7bit" 55 1)`
	simpleStructure = `("text" "plain" ("charset" "US-ASCII") NIL NIL "7bit" 55 1 NIL NIL NIL NIL)`
)

// RFC 3501 §6.4.5 and §7.4.2: every non-body item, with the ENVELOPE of
// the §7.4.2 example, and the macros.
func TestFetchItems(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple)
	r := e.rawLoggedIn()
	fetchSelect(r, "SELECT")
	size := strconv.Itoa(len(fetchSimple))
	date := `INTERNALDATE "02-Nov-2026 09:00:00 +0000"` // the store keeps UTC
	fetchOne(t, r, "FETCH 1 (FLAGS UID INTERNALDATE RFC822.SIZE)", `* 1 FETCH (FLAGS () UID 1 `+date+` RFC822.SIZE `+size+`)`)
	fetchOne(t, r, "FETCH 1 ENVELOPE", `* 1 FETCH (`+simpleEnvelope+`)`)
	// The §7.4.2 example is ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL
	// NIL "7BIT" 3028 92): the same, up to case and sizes.
	fetchOne(t, r, "FETCH 1 BODY", `* 1 FETCH (BODY `+simpleBody+`)`)
	fetchOne(t, r, "FETCH 1 BODYSTRUCTURE", `* 1 FETCH (BODYSTRUCTURE `+simpleStructure+`)`)
	fetchOne(t, r, "FETCH 1 FAST", `* 1 FETCH (FLAGS () `+date+` RFC822.SIZE `+size+`)`)
	fetchOne(t, r, "FETCH 1 ALL", `* 1 FETCH (FLAGS () `+date+` RFC822.SIZE `+size+` `+simpleEnvelope+`)`)
	fetchOne(t, r, "FETCH 1 full", `* 1 FETCH (FLAGS () `+date+` RFC822.SIZE `+size+` `+simpleEnvelope+` BODY `+simpleBody+`)`)
	// UID FETCH reports the UID first when it was not asked (§6.4.8).
	fetchOne(t, r, "UID FETCH 1 FLAGS", `* 1 FETCH (UID 1 FLAGS ())`)
	fetchOne(t, r, "UID FETCH 1:* (FLAGS UID)", `* 1 FETCH (FLAGS () UID 1)`)
	fetchOne(t, r, "UID FETCH 5:7 FLAGS")
}

// RFC 3501 §6.4.5: the body sections of a single-part message.
func TestFetchSections(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple)
	r := e.rawLoggedIn()
	fetchSelect(r, "SELECT")
	header, text, _ := strings.Cut(fetchSimple, "\r\n\r\n")
	header += "\r\n\r\n"
	lit := func(s string) string { return "{" + strconv.Itoa(len(s)) + "}\r\n" + s }
	fetchOne(t, r, "FETCH 1 BODY.PEEK[]", `* 1 FETCH (BODY[] `+lit(fetchSimple)+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[HEADER]", `* 1 FETCH (BODY[HEADER] `+lit(header)+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[TEXT]", `* 1 FETCH (BODY[TEXT] `+lit(text)+`)`)
	fetchOne(t, r, "FETCH 1 RFC822.HEADER", `* 1 FETCH (RFC822.HEADER `+lit(header)+`)`)
	// Part 1 of a single-part message is its body (§6.4.5).
	fetchOne(t, r, "FETCH 1 BODY.PEEK[1]", `* 1 FETCH (BODY[1] `+lit(text)+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[2]", `* 1 FETCH (BODY[2] NIL)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[1.HEADER]", `* 1 FETCH (BODY[1.HEADER] NIL)`)
	// HEADER.FIELDS: names match without case, lines are kept as written
	// (folding included), and the blank line ends the result.
	fetchOne(t, r, "FETCH 1 BODY.PEEK[HEADER.FIELDS (subject x-long CC)]",
		`* 1 FETCH (BODY[HEADER.FIELDS (subject x-long CC)] `+lit("Subject: IMAP4rev1 WG mtg summary and minutes\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\nX-Long: one\r\n two\r\n\r\n")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Date From Subject To Cc Message-ID X-Long)]",
		`* 1 FETCH (BODY[HEADER.FIELDS.NOT (Date From Subject To Cc Message-ID X-Long)] `+lit("MIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n")+`)`)
	fetchOne(t, r, `FETCH 1 BODY.PEEK[HEADER.FIELDS ("X-None")]`, `* 1 FETCH (BODY[HEADER.FIELDS (X-None)] `+lit("\r\n")+`)`)
	// Partials: the response names the origin only (§7.4.2).
	fetchOne(t, r, "FETCH 1 BODY.PEEK[]<0.4>", `* 1 FETCH (BODY[]<0> `+lit("Date")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[TEXT]<6.3>", `* 1 FETCH (BODY[TEXT]<6> `+lit("Joe")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[HEADER.FIELDS (TO)]<4.8>", `* 1 FETCH (BODY[HEADER.FIELDS (TO)]<4> `+lit("imap@cac")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[TEXT]<50.100>", `* 1 FETCH (BODY[TEXT]<50> `+lit("ow?\r\n")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[TEXT]<5000.10>", `* 1 FETCH (BODY[TEXT]<5000> {0}`+"\r\n"+`)`)
	fetchOne(t, r, "FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1]<0.5>)", `* 1 FETCH (BINARY.SIZE[1] 55 BINARY[1]<0> `+lit("Hello")+`)`)
}

const (
	mpEnvelope = `ENVELOPE ("Mon, 2 Nov 2026 10:00:00 +0000" "parts" (("Alice" NIL "alice" "example.org")) ` +
		`(("Alice" NIL "alice" "example.org")) (("Alice" NIL "alice" "example.org")) ` +
		`(("Bob" NIL "bob" "example.net") (NIL NIL "undisclosed-recipients" NIL) (NIL NIL NIL NIL)) ` +
		`((NIL NIL "team" NIL) ("Dan" NIL "dan" "example.com") (NIL NIL "eve" "example.com") (NIL NIL NIL NIL)) ` +
		`NIL NIL "<mp@example.org>")`
	mpInnerEnvelope = `("Tue, 3 Nov 2026 11:00:00 +0100" "inner" (("Carol" NIL "carol" "example.com")) ` +
		`(("Carol" NIL "carol" "example.com")) (("Carol" NIL "carol" "example.com")) NIL NIL NIL NIL NIL)`
	mpStructure = `(((` + `"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)` +
		`("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 22 1 NIL NIL NIL NIL) "alternative" ("boundary" "alt") NIL NIL NIL)` +
		`("application" "octet-stream" ("name" "a.bin") NIL NIL "base64" 8 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename" "a.bin")) ("en") "http://example.org/a.bin")` +
		`("message" "rfc822" NIL NIL NIL "7bit" 100 ` + mpInnerEnvelope + ` ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)` +
		` "mixed" ("boundary" "outer") NIL NIL NIL)`
	mpBody = `((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0)("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 22 1) "alternative")` +
		`("application" "octet-stream" ("name" "a.bin") NIL NIL "base64" 8)` +
		`("message" "rfc822" NIL NIL NIL "7bit" 100 ` + mpInnerEnvelope + ` ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0) 4) "mixed")`
)

// RFC 3501 §6.4.5 and §7.4.2 on a nested message: BODYSTRUCTURE with
// extension data, part sections, the message/rfc822 part's HEADER and
// TEXT, MIME headers; RFC 3516 BINARY with literal8.
func TestFetchMultipart(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchMultipart)
	r := e.rawLoggedIn()
	fetchSelect(r, "EXAMINE")
	lit := func(s string) string { return "{" + strconv.Itoa(len(s)) + "}\r\n" + s }
	fetchOne(t, r, "FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)", "* 1 FETCH ("+mpEnvelope+" BODYSTRUCTURE "+mpStructure+" BODY "+mpBody+")")
	fetchOne(t, r, "FETCH 1 BODY.PEEK[1.1]", `* 1 FETCH (BODY[1.1] `+lit("Hello world")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[1.2.MIME]", `* 1 FETCH (BODY[1.2.MIME] `+lit("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")+`)`)
	fetchOne(t, r, "FETCH 1 BINARY.PEEK[1.2]", `* 1 FETCH (BINARY[1.2] `+lit("<p>Café ok</p>")+`)`)
	fetchOne(t, r, "FETCH 1 BINARY.SIZE[1.2]", `* 1 FETCH (BINARY.SIZE[1.2] 15)`)
	// RFC 3516 §4.2: content with NUL goes as literal8.
	fetchOne(t, r, "FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])", "* 1 FETCH (BINARY[2] ~{5}\r\n\x00\x01\x02\x03\x04 BINARY.SIZE[2] 5)")
	fetchOne(t, r, "FETCH 1 BINARY.PEEK[2]<1.2>", "* 1 FETCH (BINARY[2]<1> {2}\r\n\x01\x02)")
	fetchOne(t, r, "FETCH 1 BODY.PEEK[2]", `* 1 FETCH (BODY[2] `+lit("AAECAwQ=")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[3.HEADER]", `* 1 FETCH (BODY[3.HEADER] `+lit("From: Carol <carol@example.com>\r\nSubject: inner\r\nDate: Tue, 3 Nov 2026 11:00:00 +0100\r\n\r\n")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[3.TEXT]", `* 1 FETCH (BODY[3.TEXT] `+lit("Inner body.")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[3.HEADER.FIELDS (SUBJECT)]", `* 1 FETCH (BODY[3.HEADER.FIELDS (SUBJECT)] `+lit("Subject: inner\r\n\r\n")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[3.1]", `* 1 FETCH (BODY[3.1] `+lit("Inner body.")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[3.MIME]", `* 1 FETCH (BODY[3.MIME] `+lit("Content-Type: message/rfc822\r\n\r\n")+`)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[4]", `* 1 FETCH (BODY[4] NIL)`)
	fetchOne(t, r, "FETCH 1 BODY.PEEK[2.HEADER]", `* 1 FETCH (BODY[2.HEADER] NIL)`)
}

// RFC 3516 §4.3: an encoding the server cannot decode is NO [UNKNOWN-CTE].
func TestFetchBinaryUnknownCTE(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, "Subject: u\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n")
	r := e.rawLoggedIn()
	fetchSelect(r, "SELECT")
	r.send("F FETCH 1 BINARY[1]")
	r.expect("F NO [UNKNOWN-CTE]")
	fetchOne(t, r, "FETCH 1 FLAGS", `* 1 FETCH (FLAGS ())`) // \Seen was not set by the failed BINARY
}

// RFC 3501 §6.4.5: BODY[] sets \Seen and reports it; BODY.PEEK[] and a
// read-only selection (EXAMINE, §6.3.2) do not.
func TestFetchSetsSeen(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple, fetchSimple, fetchSimple)
	r := e.rawLoggedIn()
	fetchSelect(r, "EXAMINE")
	r.send("F FETCH 1 BODY[TEXT]<0.5>")
	got, _ := fetchResponses(r, "F")
	if len(got) != 1 || strings.Contains(got[0], "FLAGS") {
		t.Errorf("EXAMINE: %q", got)
	}
	fetchSelect(r, "SELECT")
	r.send("F FETCH 1 BODY.PEEK[TEXT]<0.5>")
	got, _ = fetchResponses(r, "F")
	if len(got) != 1 || strings.Contains(got[0], "FLAGS") {
		t.Errorf("PEEK: %q", got)
	}
	fetchOne(t, r, "FETCH 1:2 BODY[TEXT]<0.5>",
		"* 1 FETCH (BODY[TEXT]<0> {5}\r\nHello FLAGS (\\Seen))",
		"* 2 FETCH (BODY[TEXT]<0> {5}\r\nHello FLAGS (\\Seen))")
	// Already seen: no FLAGS; RFC822 and RFC822.TEXT set \Seen too.
	fetchOne(t, r, "FETCH 1 (FLAGS RFC822.TEXT)", "* 1 FETCH (FLAGS (\\Seen) RFC822.TEXT {55}\r\n"+strings.SplitN(fetchSimple, "\r\n\r\n", 2)[1]+")")
	fetchOne(t, r, "FETCH 3 (FLAGS RFC822.SIZE RFC822)", fmt.Sprintf("* 3 FETCH (FLAGS (\\Seen) RFC822.SIZE %d RFC822 {%d}\r\n%s)", len(fetchSimple), len(fetchSimple), fetchSimple))
	// The change is not reported again after the command (§7.4.2).
	fetchOne(t, r, "NOOP")
	m, err := e.store.Messages(context.Background(), e.alice.ID, fetchMailboxID(t, e, "INBOX"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range m {
		if m.Flags.System&storage.FlagSeen == 0 {
			t.Errorf("uid %d not seen in the store", m.UID)
		}
	}
}

func fetchMailboxID(t *testing.T, e *testEnv, name string) storage.MailboxID {
	t.Helper()
	mb, err := e.store.MailboxByName(context.Background(), e.alice.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return mb.ID
}

// RFC 5530 (EXPUNGEISSUED) and RFC 3501 §7.4.1: a message another
// session expunged gets no FETCH response, a FETCH by sequence number ends
// OK [EXPUNGEISSUED] (a UID FETCH plain OK: the UID is simply gone), and
// the EXPUNGE waits for a command that allows it.
func TestFetchExpungedByOtherSession(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple, fetchSimple, fetchSimple)
	r := e.rawLoggedIn()
	fetchSelect(r, "SELECT")
	if _, err := e.store.Expunge(context.Background(), e.alice.ID, fetchMailboxID(t, e, "INBOX"), []storage.UID{2}); err != nil {
		t.Fatal(err)
	}
	// Not yet seen by the view: the record is missing.
	r.send("A FETCH 1:3 FLAGS")
	got, tagged := fetchResponses(r, "A")
	if strings.Join(got, "|") != "* 1 FETCH (FLAGS ())|* 3 FETCH (FLAGS ())" || tagged != "A OK [EXPUNGEISSUED] some messages were expunged; the rest is here" {
		t.Errorf("first FETCH: %q %q", got, tagged)
	}
	// Now known to the view, still not told to the client.
	r.send("B FETCH 2 (UID)")
	got, tagged = fetchResponses(r, "B")
	if len(got) != 0 || tagged != "B OK [EXPUNGEISSUED] some messages were expunged; the rest is here" {
		t.Errorf("second FETCH: %q %q", got, tagged)
	}
	r.send("C FETCH 3 UID")
	got, tagged = fetchResponses(r, "C")
	if strings.Join(got, "|") != "* 3 FETCH (UID 3)" || tagged != "C OK FETCH completed" {
		t.Errorf("third FETCH: %q %q", got, tagged)
	}
	r.send("D NOOP")
	if got := r.untilTagged("D OK"); strings.Join(got, "|") != "* 2 EXPUNGE" {
		t.Errorf("NOOP: %q", got)
	}
}

// RFC 3501 §6.4.5, §9: malformed item lists are BAD, before any output.
func TestFetchSyntax(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple)
	r := e.rawLoggedIn()
	fetchSelect(r, "SELECT")
	for _, cmd := range []string{
		"FETCH 1 (FOO)", "FETCH 1 ()", "FETCH 1 (ALL)", "FETCH 1 BODY[MIME]", "FETCH 1 BODY[1.]",
		"FETCH 1 BODY[0]", "FETCH 1 BODY[HEADER.FIELDS ()]", "FETCH 1 BODY[HEADER.FIELDS]",
		"FETCH 1 BODY[]<0.0>", "FETCH 1 BODY[]<1>", "FETCH 1 BODY.PEEK", "FETCH 1 BINARY[1.TEXT]",
		"FETCH 1 BINARY.SIZE[1]<0.1>", "FETCH 1 RFC822<0.1>", "FETCH 1 (FLAGS", "FETCH 1 FLAGS extra",
		"FETCH 2 FLAGS", "FETCH 1 BODY[TEXT.HEADER]", "FETCH 1 BODY[1.2.3.TEXT.MIME]",
	} {
		r.send("X " + cmd)
		got, tagged := fetchResponses(r, "X")
		if len(got) != 0 || !strings.HasPrefix(tagged, "X BAD") {
			t.Errorf("%s: %q %q", cmd, got, tagged)
		}
	}
	fetchOne(t, r, "FETCH 1 (FLAGS)", `* 1 FETCH (FLAGS ())`)
}

// Partials across the store's 256 KiB blob chunks (RFC 3501 §6.4.5
// <origin.octets>).
func TestFetchPartialChunkBoundaries(t *testing.T) {
	e := newTestEnv(t)
	var b strings.Builder
	b.WriteString("Subject: big\r\n\r\n")
	for i := 0; b.Len() < 700<<10; i++ {
		fmt.Fprintf(&b, "line %07d of a large message\r\n", i)
	}
	raw := b.String()
	fetchDeliverAt(e, raw)
	r := e.rawLoggedIn()
	fetchSelect(r, "EXAMINE")
	const chunk = 256 << 10
	for _, c := range [][2]int{{chunk - 3, 10}, {chunk, 1}, {chunk - 1, 1}, {0, chunk}, {chunk - 5, chunk + 10}, {2*chunk - 1, 2}, {len(raw) - 3, 100}} {
		cmd := fmt.Sprintf("FETCH 1 BODY.PEEK[]<%d.%d>", c[0], c[1])
		want := raw[c[0]:min(c[0]+c[1], len(raw))]
		fetchOne(t, r, cmd, fmt.Sprintf("* 1 FETCH (BODY[]<%d> {%d}\r\n%s)", c[0], len(want), want))
	}
	text := raw[len("Subject: big\r\n\r\n"):]
	fetchOne(t, r, fmt.Sprintf("FETCH 1 BODY.PEEK[TEXT]<%d.8>", chunk-20), fmt.Sprintf("* 1 FETCH (BODY[TEXT]<%d> {8}\r\n%s)", chunk-20, text[chunk-20:chunk-12]))
}

// imapclient parses everything FETCH sends (the proof of its syntax).
func TestFetchClient(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple, fetchMultipart)
	c := e.client()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	header := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	fields := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Subject"}, Peek: true}
	whole := &imap.FetchItemBodySection{}
	inner := &imap.FetchItemBodySection{Part: []int{3}, Specifier: imap.PartSpecifierText, Peek: true}
	bin := &imap.FetchItemBinarySection{Part: []int{2}, Peek: true}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection: []*imap.FetchItemBodySection{header, fields, whole, inner}, BinarySection: []*imap.FetchItemBinarySection{bin},
		BinarySectionSize: []*imap.FetchItemBinarySectionSize{{Part: []int{2}}},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	m1, m2 := msgs[0], msgs[1]
	if m1.Envelope.Subject != "IMAP4rev1 WG mtg summary and minutes" || m1.Envelope.Cc[1].Name != "John Klensin" {
		t.Errorf("envelope %+v", m1.Envelope)
	}
	if string(m1.FindBodySection(whole)) != fetchSimple || string(m1.FindBodySection(fields)) != "Subject: IMAP4rev1 WG mtg summary and minutes\r\n\r\n" {
		t.Errorf("sections %q %q", m1.FindBodySection(whole), m1.FindBodySection(fields))
	}
	if fmt.Sprint(m1.Flags) != `[\Seen]` { // BODY[] set it
		t.Errorf("flags %v", m1.Flags)
	}
	mp, ok := m2.BodyStructure.(*imap.BodyStructureMultiPart)
	if !ok || mp.Subtype != "mixed" || len(mp.Children) != 3 {
		t.Fatalf("bodystructure %#v", m2.BodyStructure)
	}
	att := mp.Children[1].(*imap.BodyStructureSinglePart)
	if att.Extended == nil || att.Extended.Disposition == nil || att.Extended.Disposition.Value != "attachment" || att.Extended.Location != "http://example.org/a.bin" {
		t.Errorf("attachment %+v %+v", att, att.Extended)
	}
	msg := mp.Children[2].(*imap.BodyStructureSinglePart)
	if msg.MessageRFC822 == nil || msg.MessageRFC822.Envelope.Subject != "inner" {
		t.Errorf("message/rfc822 %+v", msg)
	}
	if got := m2.FindBinarySection(bin); !bytes.Equal(got, []byte{0, 1, 2, 3, 4}) {
		t.Errorf("binary %q", got)
	}
	if n, _ := m2.FindBinarySectionSize([]int{2}); n != 5 {
		t.Errorf("binary size %d", n)
	}
	if string(m2.FindBodySection(inner)) != "Inner body." {
		t.Errorf("inner %q", m2.FindBodySection(inner))
	}
}

func TestFilterHeader(t *testing.T) {
	h := []byte("A: 1\r\nB : 2\r\n 2b\r\nbad line\r\n c\r\nC: 3\r\n\r\nD: body\r\n")
	if got := string(filterHeader(h, []string{"b", "c"}, false)); got != "B : 2\r\n 2b\r\nC: 3\r\n\r\n" {
		t.Errorf("%q", got)
	}
	if got := string(filterHeader(h, []string{"b"}, true)); got != "A: 1\r\nC: 3\r\n\r\n" {
		t.Errorf("%q", got)
	}
	if got := string(filterHeader([]byte("A: 1"), []string{"a"}, false)); got != "A: 1\r\n\r\n" {
		t.Errorf("%q", got)
	}
}

func TestDecodeCTE(t *testing.T) {
	for _, c := range []struct{ enc, in, want string }{
		{"base64", "AAEC\r\nAwQ=\r\n", "\x00\x01\x02\x03\x04"},
		{"base64", "SGVsbG8*", "Hello"},
		{"quoted-printable", "a=3Db =\r\nc  \r\nd=zz=4\r\n", "a=b c\r\nd=zz=4\r\n"},
		{"7bit", "x", "x"},
	} {
		got, ok := decodeCTE(c.enc, []byte(c.in))
		if !ok || string(got) != c.want {
			t.Errorf("%s %q: %q", c.enc, c.in, got)
		}
	}
	if _, ok := decodeCTE("x-uuencode", nil); ok {
		t.Error("x-uuencode decoded")
	}
}

// fetchDeliverMany fills INBOX with n small messages, in parallel so the
// store's group commit shares the fsyncs.
func fetchDeliverMany(tb testing.TB, e *testEnv, n int) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if _, err := e.store.Deliver(context.Background(), storage.Incoming{Raw: message(i)}, []storage.Target{{Account: e.alice.ID}}); err != nil {
					tb.Error(err)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// benchFetch runs cmd on a 10,000-message INBOX and reports the store
// reads per run.
func benchFetch(b *testing.B, cmd string, maxInfos, maxBlobs int64) {
	e := newTestEnv(b)
	const n = 10000
	fetchDeliverMany(b, e, n)
	r := e.rawLoggedIn()
	fetchSelect(r, "EXAMINE")
	recs, infos, blobs := e.srv.reads.records.Load(), e.srv.reads.infos.Load(), e.srv.reads.blobs.Load()
	runs := int64(0)
	for b.Loop() {
		runs++
		r.send("B " + cmd)
		lines := r.untilTagged("B OK")
		if len(lines) != n {
			b.Fatalf("%d responses", len(lines))
		}
	}
	b.StopTimer()
	di, db := (e.srv.reads.infos.Load()-infos)/runs, (e.srv.reads.blobs.Load()-blobs)/runs
	b.ReportMetric(float64((e.srv.reads.records.Load()-recs)/runs), "records/op")
	b.ReportMetric(float64(di), "infos/op")
	b.ReportMetric(float64(db), "blobs/op")
	if di > maxInfos || db > maxBlobs {
		b.Errorf("%s read %d descriptions and %d blobs per run", cmd, di, db)
	}
}

// A FETCH 1:* (UID FLAGS) reads message records only.
func BenchmarkFetchFlags10k(b *testing.B) { benchFetch(b, "FETCH 1:* (UID FLAGS)", 0, 0) }

// ENVELOPE reads each message's description, never its blob.
func BenchmarkFetchEnvelope10k(b *testing.B) { benchFetch(b, "FETCH 1:* ENVELOPE", 10000, 0) }

// RFC 5182 §2: FETCH $ reads the saved search result.
func TestFetchSavedResult(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple, fetchMultipart, fetchSimple)
	r := e.rawLoggedIn()
	fetchSelect(r, "SELECT")
	r.send("S1 SEARCH RETURN (SAVE) SUBJECT parts")
	r.untilTagged("S1 OK")
	fetchOne(t, r, "FETCH $ (UID RFC822.SIZE)", fmt.Sprintf("* 2 FETCH (UID 2 RFC822.SIZE %d)", len(fetchMultipart)))
}

// RFC 3501 §6.4.8: a UID FETCH of a UID another session expunged answers
// OK with nothing for it, and may carry the EXPUNGE (UID commands allow it).
func TestUIDFetchOfExpungedUID(t *testing.T) {
	e := newTestEnv(t)
	fetchDeliverAt(e, fetchSimple, fetchSimple)
	r := e.rawLoggedIn()
	fetchSelect(r, "SELECT")
	if _, err := e.store.Expunge(context.Background(), e.alice.ID, fetchMailboxID(t, e, "INBOX"), []storage.UID{2}); err != nil {
		t.Fatal(err)
	}
	r.send("A UID FETCH 2 FLAGS")
	got, tagged := fetchResponses(r, "A")
	if strings.Join(got, "|") != "* 2 EXPUNGE" || tagged != "A OK UID FETCH completed" {
		t.Errorf("UID FETCH of an expunged UID: %q %q", got, tagged)
	}
}
