package storage

import (
	"reflect"
	"testing"
	"time"
)

func TestRecordsRoundTrip(t *testing.T) {
	now := time.Unix(1700000000, 123)
	m := &Message{UID: 7, ModSeq: 99, Flags: Flags{System: FlagSeen | FlagDraft, Keywords: []string{"$Forwarded", "Work"}}, InternalDate: now, SaveDate: now.Add(time.Second), Size: 4096, Blob: BlobHash{1, 2, 3}}
	got, err := decodeMessage(7, encodeMessage(m))
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("message round trip: %+v, %v", got, err)
	}
	mb := &Mailbox{ID: 3, Account: 2, Name: "Lists/Go", UIDValidity: 1700000001, UIDNext: 42, HighestModSeq: 1 << 40, Messages: 41, Unseen: 3, Deleted: 1, Size: 1 << 33, SpecialUse: []string{`\Archive`}, Subscribed: true}
	gotMB, err := decodeMailbox(2, 3, encodeMailbox(mb))
	if err != nil || !reflect.DeepEqual(gotMB, mb) {
		t.Errorf("mailbox round trip: %+v, %v", gotMB, err)
	}
	a := &Account{ID: 5, Address: "a@example.org", Created: now, Disabled: true, passwordHash: "$argon2id$x", credVersion: 3}
	gotA, err := decodeAccount(5, encodeAccount(a))
	if err != nil || !reflect.DeepEqual(gotA, a) {
		t.Errorf("account round trip: %+v, %v", gotA, err)
	}
}

// FuzzDecodeRecords feeds arbitrary bytes to every record decoder: a
// damaged record must give an error, never a panic or a huge allocation.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeMessage(&Message{Flags: Flags{Keywords: []string{"a"}}}))
	f.Add(encodeMailbox(&Mailbox{Name: "INBOX", SpecialUse: []string{`\Sent`}}))
	f.Add(encodeAccount(&Account{Address: "x@y"}))
	f.Add(encodeBlobHead(blobHead{Size: 10, Chunks: 1, Refs: 2}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeMessage(1, b)
		decodeMailbox(1, 1, b)
		decodeAccount(1, b)
		decodeBlobHead(b)
		decodeAlias(b)
		if m, err := decodeMessage(1, b); err == nil {
			// What decodes must encode back to something that decodes the same.
			again, err := decodeMessage(1, encodeMessage(m))
			if err != nil || !reflect.DeepEqual(again.Flags, m.Flags) || again.ModSeq != m.ModSeq {
				t.Fatalf("message re-encode differs: %+v vs %+v (%v)", again, m, err)
			}
		}
	})
}

func TestParseFlags(t *testing.T) {
	f := ParseFlags([]string{`\seen`, `\RECENT`, "Work", "work", `\Flagged`, "", `\Bogus`})
	if f.System != FlagSeen|FlagFlagged || len(f.Keywords) != 1 || f.Keywords[0] != "Work" {
		t.Errorf("ParseFlags = %+v", f)
	}
	if got := f.Names(); !reflect.DeepEqual(got, []string{`\Seen`, `\Flagged`, "Work"}) {
		t.Errorf("Names = %v", got)
	}
	g := f.Minus(ParseFlags([]string{"WORK", `\Seen`}))
	if g.System != FlagFlagged || len(g.Keywords) != 0 {
		t.Errorf("Minus = %+v", g)
	}
	if !f.Union(ParseFlags([]string{"work", "Home"})).Equal(ParseFlags([]string{`\Flagged`, `\Seen`, "Home", "Work"})) {
		t.Error("Union/Equal")
	}
}
