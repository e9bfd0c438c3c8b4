package search

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/storage/mimeinfo"
)

// mailbox is the test mailbox: one message per kind of content.
func mailbox() []*testMsg {
	plain := newMsg(`From: Alice <alice@example.com>
To: bob@example.org
Cc: Carol <carol@example.net>
Subject: Hello world
Date: Mon, 1 Jan 2024 23:30:00 -0800
Message-ID: <1@example.com>

The quick brown fox jumps over the lazy dog.
`, 10, 10, utc(2024, 1, 2, 7, 30), `\Seen`, "$Label1")

	alternative := newMsg(`From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.fr>
To: Bob <bob@example.org>
Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=
Date: Tue, 2 Jan 2024 00:15:00 +0100
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Viele Gr=C3=BC=C3=9Fe aus K=C3=B6ln, soft=
 break
--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

`+b64("<p>Mit <b>freundlichen</b> Grüßen</p>")+`--b1--
`, 20, 25, utc(2024, 1, 1, 23, 59), `\Flagged`, `\Answered`)
	alternative.recent = true

	latin1 := newMsg(`From: Dan <dan@example.com>
To: bob@example.org
Subject: menu
Date: Wed, 3 Jan 2024 12:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=x

--x
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

Un caf`+"\xe9"+` cr`+"\xe8"+`me, s'il vous pla`+"\xee"+`t.
--x
Content-Type: image/png
Content-Transfer-Encoding: base64

`+b64("secretword inside a picture")+`--x
Content-Type: application/octet-stream

rawsecret in an octet stream
--x--
`, 30, 31, utc(2024, 1, 3, 12, 0), `\Deleted`, `\Draft`, "Work")

	nested := newMsg(`From: Eve <eve@example.com>
To: bob@example.org
Subject: Fwd: inner
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=y

--y
Content-Type: text/plain

See the attached message.
--y
Content-Type: message/rfc822

From: Mallory <mallory@example.com>
Subject: =?UTF-8?Q?Inner_=C3=BCbersicht?=

nested text here
--y--
`, 40, 40, utc(2024, 2, 29, 0, 0))

	folded := newMsg(`From: frank@example.com
To: bob@example.org
X-Tag: one
X-Tag: two
X-Empty:
Subject: This is a
 long subject
Date: not a date at all

Short body. GRÜSSE and STRASSE, K`+"\u212a"+`elvin.
`, 41, 45, utc(2024, 3, 1, 8, 0), "work")

	unknownCharset := newMsg(`From: gina@example.com
Subject: odd
Date: 4 Mar 2024 10:00 +0900
Content-Type: text/plain; charset=x-no-such-charset

bytes `+"\xff\xfe"+`RAW`+"\xa0"+`match
`, 50, 50, utc(2024, 3, 4, 1, 0))

	return []*testMsg{plain, alternative, latin1, nested, folded, unknownCharset}
}

func seqs(n ...uint32) []uint32 { return n }

func TestMatch(t *testing.T) {
	box := mailbox()
	all := seqs(1, 2, 3, 4, 5, 6)
	hdr := func(k, v string) imap.SearchCriteriaHeaderField {
		return imap.SearchCriteriaHeaderField{Key: k, Value: v}
	}
	seqSet := func(rs ...imap.SeqRange) imap.SeqSet { return imap.SeqSet(rs) }
	uidSet := func(rs ...imap.UIDRange) imap.UIDSet { return imap.UIDSet(rs) }

	tests := []struct {
		name string
		c    imap.SearchCriteria
		want []uint32
	}{
		{"ALL", imap.SearchCriteria{}, all},

		// Sets, with "*" (0 in go-imap) resolved from Options.
		{"seq 2:4", imap.SearchCriteria{SeqNum: []imap.SeqSet{seqSet(imap.SeqRange{Start: 2, Stop: 4})}}, seqs(2, 3, 4)},
		{"seq *", imap.SearchCriteria{SeqNum: []imap.SeqSet{seqSet(imap.SeqRange{})}}, seqs(6)},
		{"seq 5:*", imap.SearchCriteria{SeqNum: []imap.SeqSet{seqSet(imap.SeqRange{Start: 5})}}, seqs(5, 6)},
		{"seq 9:* includes *", imap.SearchCriteria{SeqNum: []imap.SeqSet{seqSet(imap.SeqRange{Start: 9})}}, seqs(6)},
		{"seq 1,3 and 3:4", imap.SearchCriteria{SeqNum: []imap.SeqSet{imap.SeqSetNum(1, 3), seqSet(imap.SeqRange{Start: 3, Stop: 4})}}, seqs(3)},
		{"uid 20:40", imap.SearchCriteria{UID: []imap.UIDSet{uidSet(imap.UIDRange{Start: 20, Stop: 40})}}, seqs(2, 3, 4)},
		{"uid *", imap.SearchCriteria{UID: []imap.UIDSet{uidSet(imap.UIDRange{})}}, seqs(6)},
		{"uid 1000:* includes *", imap.SearchCriteria{UID: []imap.UIDSet{uidSet(imap.UIDRange{Start: 1000})}}, seqs(6)},
		{"uid 11,41", imap.SearchCriteria{UID: []imap.UIDSet{imap.UIDSetNum(11, 41)}}, seqs(5)},

		// Flags.
		{"SEEN", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, seqs(1)},
		{"UNSEEN", imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, seqs(2, 3, 4, 5, 6)},
		{"ANSWERED FLAGGED", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagAnswered, imap.FlagFlagged}}, seqs(2)},
		{"DELETED UNDRAFT", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagDeleted}, NotFlag: []imap.Flag{imap.FlagDraft}}, nil},
		{"system flag any case", imap.SearchCriteria{Flag: []imap.Flag{`\DRAFT`}}, seqs(3)},
		{"SEEN UNSEEN", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}, NotFlag: []imap.Flag{imap.FlagSeen}}, nil},
		{"RECENT", imap.SearchCriteria{Flag: []imap.Flag{`\Recent`}}, seqs(2)},
		{"OLD", imap.SearchCriteria{NotFlag: []imap.Flag{`\Recent`}}, seqs(1, 3, 4, 5, 6)},
		{"NEW", imap.SearchCriteria{Flag: []imap.Flag{`\Recent`}, NotFlag: []imap.Flag{imap.FlagSeen}}, seqs(2)},
		{"KEYWORD case-insensitive", imap.SearchCriteria{Flag: []imap.Flag{"WORK"}}, seqs(3, 5)},
		{"KEYWORD $label1", imap.SearchCriteria{Flag: []imap.Flag{"$label1"}}, seqs(1)},
		{"UNKEYWORD", imap.SearchCriteria{NotFlag: []imap.Flag{"work"}}, seqs(1, 2, 4, 6)},
		{"unknown system flag", imap.SearchCriteria{Flag: []imap.Flag{`\Junk`}}, nil},
		{"not unknown system flag", imap.SearchCriteria{NotFlag: []imap.Flag{`\Junk`}}, all},

		// Sizes, strict.
		{"LARGER", imap.SearchCriteria{Larger: box[3].msg.Size - 1}, seqs(2, 3, 4)},
		{"LARGER equal", imap.SearchCriteria{Larger: box[3].msg.Size}, seqs(2, 3)},
		{"SMALLER equal", imap.SearchCriteria{Smaller: box[0].msg.Size}, seqs(5, 6)},
		{"SMALLER", imap.SearchCriteria{Smaller: box[0].msg.Size + 1}, seqs(1, 5, 6)},

		// MODSEQ: >=.
		{"MODSEQ 25", imap.SearchCriteria{ModSeq: &imap.SearchCriteriaModSeq{ModSeq: 25}}, seqs(2, 3, 4, 5, 6)},
		{"MODSEQ 0", imap.SearchCriteria{ModSeq: &imap.SearchCriteriaModSeq{}}, all},
		{"MODSEQ entry", imap.SearchCriteria{ModSeq: &imap.SearchCriteriaModSeq{
			ModSeq: 45, MetadataName: `/flags/\seen`, MetadataType: imap.SearchCriteriaMetadataAll,
		}}, seqs(5, 6)},

		// Internal dates, in UTC here: 2 Jan 07:30, 1 Jan 23:59, 3 Jan,
		// 29 Feb, 1 Mar, 4 Mar 01:00.
		{"SINCE 2-Jan-2024", imap.SearchCriteria{Since: day(2024, 1, 2)}, seqs(1, 3, 4, 5, 6)},
		{"BEFORE 2-Jan-2024", imap.SearchCriteria{Before: day(2024, 1, 2)}, seqs(2)},
		{"ON 29-Feb-2024", imap.SearchCriteria{Since: day(2024, 2, 29), Before: day(2024, 3, 1)}, seqs(4)},
		{"argument's time is ignored", imap.SearchCriteria{Since: time.Date(2024, 1, 2, 23, 0, 0, 0, time.UTC)}, seqs(1, 3, 4, 5, 6)},

		// Sent dates, in the header's own zone: 1 Jan (-0800), 2 Jan
		// (+0100), 3 Jan, none (internal: 29 Feb), unparseable (internal:
		// 1 Mar), 4 Mar (+0900).
		{"SENTON 1-Jan-2024", imap.SearchCriteria{SentSince: day(2024, 1, 1), SentBefore: day(2024, 1, 2)}, seqs(1)},
		{"SENTON 2-Jan-2024", imap.SearchCriteria{SentSince: day(2024, 1, 2), SentBefore: day(2024, 1, 3)}, seqs(2)},
		{"SENTSINCE 29-Feb-2024 (no Date: uses internal)", imap.SearchCriteria{SentSince: day(2024, 2, 29)}, seqs(4, 5, 6)},
		{"SENTBEFORE 1-Mar-2024", imap.SearchCriteria{SentBefore: day(2024, 3, 1)}, seqs(1, 2, 3, 4)},
		{"SENTON 4-Mar-2024", imap.SearchCriteria{SentSince: day(2024, 3, 4), SentBefore: day(2024, 3, 5)}, seqs(6)},

		// HEADER and the address and subject keys.
		{"FROM alice", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("From", "ALICE@example")}}, seqs(1)},
		{"FROM decoded latin-1 name", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("From", "andré")}}, seqs(2)},
		{"FROM raw encoded word", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("From", "=?iso-8859-1?q?andr")}}, seqs(2)},
		{"TO bob", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("To", "bob@example.org")}}, seqs(1, 2, 3, 4, 5)},
		{"CC carol", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("Cc", "carol")}}, seqs(1)},
		{"BCC none", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("Bcc", "")}}, nil},
		{"SUBJECT base64 UTF-8", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("Subject", "GRÜẞE AUS KÖLN")}}, seqs(2)},
		{"SUBJECT folded", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("Subject", "a long subject")}}, seqs(5)},
		{"SUBJECT top-level only", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("Subject", "übersicht")}}, nil},
		{"HEADER second occurrence", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("x-tag", "TWO")}}, seqs(5)},
		{"HEADER empty string: field present", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("X-EMPTY", "")}}, seqs(5)},
		{"HEADER Content-Type", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("Content-Type", "multipart/")}}, seqs(2, 3, 4)},
		{"HEADER Message-ID", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("message-id", "<1@")}}, seqs(1)},
		{"two HEADER keys", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{hdr("To", "bob"), hdr("From", "eve")}}, seqs(4)},

		// BODY: text parts decoded; other parts not searched.
		{"BODY plain", imap.SearchCriteria{Body: []string{"LAZY DOG"}}, seqs(1)},
		{"BODY quoted-printable UTF-8", imap.SearchCriteria{Body: []string{"grüße aus köln"}}, seqs(2)},
		{"BODY soft line break", imap.SearchCriteria{Body: []string{"soft break"}}, seqs(2)},
		{"BODY base64 html", imap.SearchCriteria{Body: []string{"FREUNDLICHEN"}}, seqs(2)},
		{"BODY html tags searched as text", imap.SearchCriteria{Body: []string{"<b>freundlichen</b>"}}, seqs(2)},
		{"BODY latin-1 with UTF-8 needle", imap.SearchCriteria{Body: []string{"CAFÉ CRÈME"}}, seqs(3)},
		{"BODY latin-1 ï", imap.SearchCriteria{Body: []string{"plaît"}}, seqs(3)},
		{"BODY image not decoded", imap.SearchCriteria{Body: []string{"secretword"}}, nil},
		{"BODY image base64 not searched raw", imap.SearchCriteria{Body: []string{b64("secretword inside a picture")[:12]}}, nil},
		{"BODY octet-stream not searched", imap.SearchCriteria{Body: []string{"rawsecret"}}, nil},
		{"BODY nested message text", imap.SearchCriteria{Body: []string{"nested text"}}, seqs(4)},
		{"BODY nested message header decoded", imap.SearchCriteria{Body: []string{"inner übersicht"}}, seqs(4)},
		{"BODY not the top-level header", imap.SearchCriteria{Body: []string{"alice"}}, nil},
		{"BODY unknown charset raw bytes", imap.SearchCriteria{Body: []string{"\xff\xferaw\xa0MATCH"}}, seqs(6)},
		{"BODY empty string", imap.SearchCriteria{Body: []string{""}}, all},
		{"BODY two strings", imap.SearchCriteria{Body: []string{"quick", "dog"}}, seqs(1)},
		{"BODY two strings, one missing", imap.SearchCriteria{Body: []string{"quick", "cat"}}, nil},

		// Simple case folding: ẞ/ß yes, SS/ß no, Kelvin sign/k yes.
		{"fold GRÜSSE does not find Grüße", imap.SearchCriteria{Body: []string{"GRÜSSE AUS"}}, nil},
		{"fold grüsse finds GRÜSSE", imap.SearchCriteria{Body: []string{"grüsse and strasse"}}, seqs(5)},
		{"fold kelvin", imap.SearchCriteria{Body: []string{"kelvin"}}, seqs(5)},

		// TEXT: header or body.
		{"TEXT header", imap.SearchCriteria{Text: []string{"hello WORLD"}}, seqs(1)},
		{"TEXT header field name", imap.SearchCriteria{Text: []string{"x-tag: two"}}, seqs(5)},
		{"TEXT decoded header", imap.SearchCriteria{Text: []string{"köln"}}, seqs(2)},
		{"TEXT body", imap.SearchCriteria{Text: []string{"brown fox"}}, seqs(1)},
		{"TEXT header or body", imap.SearchCriteria{Text: []string{"bob@example.org"}}, seqs(1, 2, 3, 4, 5)},
		{"TEXT nested", imap.SearchCriteria{Text: []string{"mallory"}}, seqs(4)},
		{"TEXT and BODY", imap.SearchCriteria{Text: []string{"menu"}, Body: []string{"café"}}, seqs(3)},

		// NOT and OR, nested.
		{"NOT SEEN", imap.SearchCriteria{Not: []imap.SearchCriteria{{Flag: []imap.Flag{imap.FlagSeen}}}}, seqs(2, 3, 4, 5, 6)},
		{"NOT NOT SEEN", imap.SearchCriteria{Not: []imap.SearchCriteria{{Not: []imap.SearchCriteria{{Flag: []imap.Flag{imap.FlagSeen}}}}}}, seqs(1)},
		{"OR SEEN DELETED", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{
			{Flag: []imap.Flag{imap.FlagSeen}}, {Flag: []imap.Flag{imap.FlagDeleted}},
		}}}, seqs(1, 3)},
		{"OR BODY FROM", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{
			{Body: []string{"lazy"}}, {Header: []imap.SearchCriteriaHeaderField{hdr("From", "eve")}},
		}}}, seqs(1, 4)},
		{"OR (OR a b) NOT c", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{
			{Or: [][2]imap.SearchCriteria{{{UID: []imap.UIDSet{imap.UIDSetNum(10)}}, {UID: []imap.UIDSet{imap.UIDSetNum(20)}}}}},
			{Not: []imap.SearchCriteria{{Larger: 100}}},
		}}}, seqs(1, 2)},
		{"AND with OR and NOT", imap.SearchCriteria{
			NotFlag: []imap.Flag{imap.FlagSeen},
			Or: [][2]imap.SearchCriteria{{
				{Text: []string{"köln"}}, {Not: []imap.SearchCriteria{{Body: []string{"e"}}}},
			}},
		}, seqs(2)},
		{"NOT BODY", imap.SearchCriteria{Not: []imap.SearchCriteria{{Body: []string{"the"}}}}, seqs(2, 3, 5, 6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, box, &tt.c, opts(box))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSearchRes(t *testing.T) {
	box := mailbox()
	res := imap.SearchCriteria{UID: []imap.UIDSet{imap.SearchRes()}}
	o := opts(box)
	if got := run(t, box, &res, o); got != nil {
		t.Errorf("$ with nothing saved: got %v, want none", got)
	}
	o.SearchRes = imap.UIDSetNum(20, 41, 99)
	if got := run(t, box, &res, o); !slices.Equal(got, seqs(2, 5)) {
		t.Errorf("$: got %v, want [2 5]", got)
	}
}

// TestInternalDateZone checks SINCE/BEFORE/ON around midnight: the date is
// the internal date's in Options.Location.
func TestInternalDateZone(t *testing.T) {
	newYork := time.FixedZone("EST", -5*3600)
	tokyo := time.FixedZone("JST", 9*3600)
	box := []*testMsg{
		newMsg("Subject: a\n\nx\n", 1, 1, utc(2024, 3, 10, 4, 59)), // 9 Mar 23:59 in New York
		newMsg("Subject: b\n\nx\n", 2, 2, utc(2024, 3, 10, 5, 0)),  // 10 Mar 00:00 in New York
		newMsg("Subject: c\n\nx\n", 3, 3, utc(2024, 3, 9, 15, 0)),  // 10 Mar 00:00 in Tokyo
		newMsg("Subject: d\n\nx\n", 4, 4, utc(2024, 3, 10, 23, 59)),
	}
	on10 := imap.SearchCriteria{Since: day(2024, 3, 10), Before: day(2024, 3, 11)}
	tests := []struct {
		name string
		loc  *time.Location
		c    imap.SearchCriteria
		want []uint32
	}{
		{"ON in UTC", time.UTC, on10, seqs(1, 2, 4)},
		{"ON in New York", newYork, on10, seqs(2, 4)},
		{"ON in Tokyo", tokyo, on10, seqs(1, 2, 3)}, // 4 is 11 Mar 08:59 there
		{"SINCE in New York", newYork, imap.SearchCriteria{Since: day(2024, 3, 10)}, seqs(2, 4)},
		{"BEFORE in New York", newYork, imap.SearchCriteria{Before: day(2024, 3, 10)}, seqs(1, 3)},
		{"BEFORE in Tokyo", tokyo, imap.SearchCriteria{Before: day(2024, 3, 10)}, nil},
		{"argument in another zone: only its date counts", newYork,
			imap.SearchCriteria{Since: time.Date(2024, 3, 10, 23, 0, 0, 0, tokyo)}, seqs(2, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts(box)
			o.Location = tt.loc
			if got := run(t, box, &tt.c, o); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSentDateZone checks that SENT* use the date as the sender wrote it,
// not as it falls in UTC or in the server's zone.
func TestSentDateZone(t *testing.T) {
	box := []*testMsg{
		newMsg("Date: Sun, 31 Dec 2023 23:59:59 -1200\n\nx\n", 1, 1, utc(2024, 1, 1, 12, 0)),  // 1 Jan in UTC
		newMsg("Date: Mon, 1 Jan 2024 00:00:00 +1400\n\nx\n", 2, 2, utc(2023, 12, 31, 10, 0)), // 31 Dec in UTC
		newMsg("Date: 1 Jan 2024 12:00 EST\n\nx\n", 3, 3, utc(2024, 1, 1, 17, 0)),
		newMsg("Subject: no date\n\nx\n", 4, 4, utc(2024, 1, 1, 23, 0)),
	}
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name string
		loc  *time.Location
		c    imap.SearchCriteria
		want []uint32
	}{
		{"SENTON 31-Dec-2023", time.UTC, imap.SearchCriteria{SentSince: day(2023, 12, 31), SentBefore: day(2024, 1, 1)}, seqs(1)},
		{"SENTON 1-Jan-2024", time.UTC, imap.SearchCriteria{SentSince: day(2024, 1, 1), SentBefore: day(2024, 1, 2)}, seqs(2, 3, 4)},
		{"SENTBEFORE 1-Jan-2024", time.UTC, imap.SearchCriteria{SentBefore: day(2024, 1, 1)}, seqs(1)},
		{"SENTSINCE 1-Jan-2024", time.UTC, imap.SearchCriteria{SentSince: day(2024, 1, 1)}, seqs(2, 3, 4)},
		// The server's zone changes nothing for a Date: header, but the
		// fallback to the internal date uses it: 23:00 UTC is 2 Jan in Tokyo.
		{"SENTON 1-Jan-2024 server in Tokyo", tokyo, imap.SearchCriteria{SentSince: day(2024, 1, 1), SentBefore: day(2024, 1, 2)}, seqs(2, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts(box)
			o.Location = tt.loc
			if got := run(t, box, &tt.c, o); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNeeds(t *testing.T) {
	tests := []struct {
		name string
		c    *imap.SearchCriteria
		want Needs
	}{
		{"nil is ALL", nil, Needs{}},
		{"flags sets sizes dates modseq", &imap.SearchCriteria{
			SeqNum: []imap.SeqSet{imap.SeqSetNum(1)}, UID: []imap.UIDSet{imap.UIDSetNum(1)},
			Flag: []imap.Flag{imap.FlagSeen}, NotFlag: []imap.Flag{"x"}, Larger: 1, Smaller: 9,
			Since: day(2024, 1, 1), Before: day(2025, 1, 1), ModSeq: &imap.SearchCriteriaModSeq{ModSeq: 1},
		}, Needs{}},
		{"SENTON", &imap.SearchCriteria{SentSince: day(2024, 1, 1)}, Needs{Info: true}},
		{"SUBJECT", &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "x"}}}, Needs{Header: true}},
		{"BODY", &imap.SearchCriteria{Body: []string{"x"}}, Needs{Info: true, Body: true}},
		{"BODY empty", &imap.SearchCriteria{Body: []string{""}}, Needs{}},
		{"TEXT", &imap.SearchCriteria{Text: []string{"x"}}, Needs{Info: true, Header: true, Body: true}},
		{"under NOT", &imap.SearchCriteria{Not: []imap.SearchCriteria{{Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: ""}}}}}, Needs{Header: true}},
		{"under OR", &imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Flag: []imap.Flag{"a"}}, {Body: []string{"b"}}}}}, Needs{Info: true, Body: true}},
		{"OR with ALL side", &imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{}, {Body: []string{"b"}}}}}, Needs{}},
		{"contradiction", &imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}, NotFlag: []imap.Flag{imap.FlagSeen}, Body: []string{"x"}}, Needs{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(tt.c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Needs(); got != tt.want {
				t.Errorf("Needs() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUsesModSeq(t *testing.T) {
	for _, tt := range []struct {
		c    imap.SearchCriteria
		want bool
	}{
		{imap.SearchCriteria{}, false},
		{imap.SearchCriteria{ModSeq: &imap.SearchCriteriaModSeq{ModSeq: 3}}, true},
		{imap.SearchCriteria{Not: []imap.SearchCriteria{{ModSeq: &imap.SearchCriteriaModSeq{ModSeq: 3}}}}, true},
	} {
		m, err := Compile(&tt.c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if m.UsesModSeq() != tt.want {
			t.Errorf("%+v: UsesModSeq() = %v", tt.c, !tt.want)
		}
	}
}

// TestLaziness counts loader calls: keys on the record never load, and
// expensive keys are reached only when cheaper ones leave the answer open.
func TestLaziness(t *testing.T) {
	box := mailbox()
	tests := []struct {
		name string
		c    imap.SearchCriteria
		want loads // summed over the mailbox
	}{
		{"flags only", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}, NotFlag: []imap.Flag{"work"}}, loads{}},
		{"everything cheap", imap.SearchCriteria{
			SeqNum: []imap.SeqSet{imap.SeqSetNum(1, 2, 3)}, Larger: 10, Since: day(2000, 1, 1),
			ModSeq: &imap.SearchCriteriaModSeq{ModSeq: 1}, NotFlag: []imap.Flag{`\Recent`},
		}, loads{}},
		{"header only", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "x"}}}, loads{header: 6}},
		{"body after a failing flag", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}, Body: []string{"dog"}}, loads{info: 1, body: 1}},
		{"flag first although written last", imap.SearchCriteria{Body: []string{"dog"}, Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "alice"}}, Flag: []imap.Flag{imap.FlagDeleted}}, loads{header: 1}},
		{"header before body", imap.SearchCriteria{Body: []string{"dog"}, Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "alice"}}}, loads{header: 6, info: 1, body: 1}},
		{"many string keys, one load each", imap.SearchCriteria{
			Body: []string{"a", "e"}, Text: []string{"o", "t"},
			Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: ""}, {Key: "From", Value: "@"}},
			Or:     [][2]imap.SearchCriteria{{{Body: []string{"zzz"}}, {Text: []string{"i"}}}},
		}, loads{header: 6, info: 5, body: 5}},
		{"OR tries the cheap side first", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Body: []string{"dog"}}, {UID: []imap.UIDSet{imap.UIDSetNum(10, 20, 30, 40, 41)}}}}}, loads{info: 1, body: 1}},
		{"SENTON needs only Info", imap.SearchCriteria{SentSince: day(2024, 1, 1)}, loads{info: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(&tt.c, opts(box))
			if err != nil {
				t.Fatal(err)
			}
			var total loads
			for i, tm := range box {
				var n loads
				if _, err := m.Match(tm.candidate(uint32(i+1), &n)); err != nil {
					t.Fatal(err)
				}
				if n.info > 1 || n.header > 1 || n.body > 1 {
					t.Errorf("message %d loaded twice: %+v", i+1, n)
				}
				total.info += n.info
				total.header += n.header
				total.body += n.body
			}
			if total != tt.want {
				t.Errorf("loads %+v, want %+v", total, tt.want)
			}
		})
	}
}

// TestFlagSearchWithoutLoaders runs a flag search on candidates that have
// no loaders at all, as a server would build them for Needs{}.
func TestFlagSearchWithoutLoaders(t *testing.T) {
	box := mailbox()
	m, err := Compile(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagDeleted}}, opts(box))
	if err != nil {
		t.Fatal(err)
	}
	var got []uint32
	for i, tm := range box {
		ok, err := m.Match(&Candidate{SeqNum: uint32(i + 1), Message: &tm.msg})
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			got = append(got, uint32(i+1))
		}
	}
	if !slices.Equal(got, seqs(3)) {
		t.Errorf("got %v, want [3]", got)
	}
}

// TestFallbackLoaders: with only a Body loader, the header is sliced from
// the message and the description parsed from it.
func TestFallbackLoaders(t *testing.T) {
	box := mailbox()
	c := imap.SearchCriteria{
		Header:    []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "köln"}},
		Body:      []string{"freundlichen"},
		SentSince: day(2024, 1, 2),
	}
	m, err := Compile(&c, opts(box))
	if err != nil {
		t.Fatal(err)
	}
	var got []uint32
	for i, tm := range box {
		calls := 0
		ok, err := m.Match(&Candidate{SeqNum: uint32(i + 1), Message: &tm.msg, Body: func() ([]byte, error) {
			calls++
			return tm.raw, nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("message %d: Body called %d times", i+1, calls)
		}
		if ok {
			got = append(got, uint32(i+1))
		}
	}
	if !slices.Equal(got, seqs(2)) {
		t.Errorf("got %v, want [2]", got)
	}
}

func TestLoaderErrors(t *testing.T) {
	tm := mailbox()[0]
	failBytes := func() ([]byte, error) { return nil, errLoad }
	failInfo := func() (*mimeinfo.Info, error) { return nil, errLoad }
	okInfo := func() (*mimeinfo.Info, error) { return tm.info, nil }
	tests := []struct {
		name string
		c    imap.SearchCriteria
		cand Candidate
		want error
	}{
		{"header", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: "x"}}},
			Candidate{Message: &tm.msg, Header: failBytes}, errLoad},
		{"body under NOT", imap.SearchCriteria{Not: []imap.SearchCriteria{{Body: []string{"x"}}}},
			Candidate{Message: &tm.msg, Info: okInfo, Body: failBytes}, errLoad},
		{"info under OR", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Flag: []imap.Flag{"nope"}}, {SentSince: day(2020, 1, 1)}}}},
			Candidate{Message: &tm.msg, Info: failInfo}, errLoad},
		{"no loader", imap.SearchCriteria{Text: []string{"x"}},
			Candidate{Message: &tm.msg}, errNoLoader("header")},
		{"no message", imap.SearchCriteria{}, Candidate{}, errNoMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(&tt.c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ok, err := m.Match(&tt.cand)
			if !errors.Is(err, tt.want) || ok {
				t.Errorf("Match = %v, %v; want false, %v", ok, err, tt.want)
			}
		})
	}
}

func TestCompileLimits(t *testing.T) {
	nest := func(depth int, or bool) *imap.SearchCriteria {
		c := imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}
		for range depth {
			if or {
				c = imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{c, {Larger: 1}}}}
			} else {
				c = imap.SearchCriteria{Not: []imap.SearchCriteria{c}}
			}
		}
		return &c
	}
	for _, or := range []bool{false, true} {
		if _, err := Compile(nest(MaxDepth, or), Options{}); err != nil {
			t.Errorf("depth %d (or %v): %v", MaxDepth, or, err)
		}
		_, err := Compile(nest(MaxDepth+1, or), Options{})
		if !errors.Is(err, ErrTooDeep) {
			t.Errorf("depth %d (or %v): err = %v, want ErrTooDeep", MaxDepth+1, or, err)
		}
	}
	// NOT NOT ... NOT (depth 100, even) is the key itself.
	m, err := Compile(nest(MaxDepth, false), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var n loads
	if ok, _ := m.Match(mailbox()[0].candidate(1, &n)); !ok {
		t.Errorf("100 NOTs around SEEN do not match a seen message")
	}

	many := &imap.SearchCriteria{}
	for range MaxKeys {
		many.Flag = append(many.Flag, "k")
	}
	if _, err := Compile(many, Options{}); err != nil {
		t.Errorf("%d keys: %v", MaxKeys, err)
	}
	many.Body = append(many.Body, "x")
	if _, err := Compile(many, Options{}); !errors.Is(err, ErrTooManyKeys) {
		t.Errorf("%d keys: err = %v, want ErrTooManyKeys", MaxKeys+1, err)
	}
	if _, err := Compile(nest(MaxDepth+1, true), Options{}); err == nil || !strings.Contains(err.Error(), "100") {
		t.Errorf("error does not say the limit: %v", err)
	}
}

// TestConcurrent runs one Matcher from several goroutines (go test -race).
func TestConcurrent(t *testing.T) {
	box := mailbox()
	m, err := Compile(&imap.SearchCriteria{Text: []string{"bob"}, Body: []string{"e"}}, opts(box))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []uint32)
	for range 4 {
		go func() {
			var got []uint32
			for range 20 {
				got = got[:0]
				for i, tm := range box {
					var n loads
					if ok, _ := m.Match(tm.candidate(uint32(i+1), &n)); ok {
						got = append(got, uint32(i+1))
					}
				}
			}
			done <- got
		}()
	}
	for range 4 {
		if got := <-done; !slices.Equal(got, seqs(1, 2, 3, 4, 5)) {
			t.Errorf("got %v", got)
		}
	}
}
