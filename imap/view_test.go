package imap

import (
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"

	"zest/storage"
)

func TestResolve(t *testing.T) {
	v := &view{uids: []storage.UID{3, 5, 9, 10, 20}}
	for _, tc := range []struct {
		set  imap.NumSet
		uid  bool
		want []int
		bad  bool
	}{
		{imap.SeqSet{{Start: 1, Stop: 3}}, false, []int{0, 1, 2}, false},
		{imap.SeqSet{{Start: 5, Stop: 0}}, false, []int{4}, false},
		{imap.SeqSet{{Start: 0, Stop: 0}, {Start: 2, Stop: 2}}, false, []int{1, 4}, false},
		{imap.SeqSet{{Start: 6, Stop: 6}}, false, nil, true},
		{imap.UIDSet{{Start: 4, Stop: 10}}, true, []int{1, 2, 3}, false},
		{imap.UIDSet{{Start: 21, Stop: 0}}, true, []int{4}, false}, // 21:* includes the last (RFC 9051 §9)
		{imap.UIDSet{{Start: 100, Stop: 200}}, true, nil, false},
		{imap.UIDSet{{Start: 1, Stop: 3}, {Start: 3, Stop: 3}}, true, []int{0}, false},
	} {
		got, err := v.resolve(tc.set, tc.uid)
		if (err != nil) != tc.bad || !slices.Equal(got, tc.want) {
			t.Errorf("resolve(%v, uid=%v) = %v, %v; want %v (error %v)", tc.set, tc.uid, got, err, tc.want, tc.bad)
		}
	}
	empty := &view{}
	if _, err := empty.resolve(imap.SeqSet{{Start: 1, Stop: 0}}, false); err == nil {
		t.Error("1:* on an empty mailbox must be an error")
	}
	if got, err := empty.resolve(imap.UIDSet{{Start: 1, Stop: 0}}, true); err != nil || len(got) != 0 {
		t.Errorf("UID 1:* on an empty mailbox: %v %v", got, err)
	}
}
