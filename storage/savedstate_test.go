package storage

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"testing"
	"time"

	"zest/storage/kv"
)

var stateTokenShape = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

// spec: ST-10, ST-14, ST-15, ST-16, ST-17, ST-27
func TestSaveAndLoadState(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTestStore(t, dir)
	alice := mustAccount(t, s, "alice@example.org")
	bob := mustAccount(t, s, "bob@example.org")
	effects := []StateEffect{{Kind: "ENABLE", Args: []string{"QRESYNC", "UTF8=ACCEPT"}}, {Kind: "CLIENTID", Args: []string{"ABC"}}, {Kind: "NONE"}}
	token, err := s.SaveState(ctx, alice.ID, 1, effects)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.SaveState(ctx, alice.ID, 1, effects)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range []string{token, again} {
		// 32 base64url characters carry 192 bits.
		if !stateTokenShape.MatchString(tk) || len(tk) < 22 {
			t.Errorf("token %q is not 22 to 100 base64url characters", tk)
		}
	}
	if token == again {
		t.Error("two saves returned the same token")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir) // durable: it survives a restart
	defer s.Close()
	for _, tk := range []string{token, again} {
		st, err := s.LoadState(ctx, alice.ID, tk, 1)
		if err != nil {
			t.Fatalf("load %s: %v", tk, err)
		}
		if !reflect.DeepEqual(st.Effects, effects) || st.Account != alice.ID || st.Format != 1 {
			t.Errorf("loaded %+v, saved %+v", st, effects)
		}
	}
	for name, load := range map[string]func() (*SavedState, error){
		"another account's": func() (*SavedState, error) { return s.LoadState(ctx, bob.ID, token, 1) },
		"another format":    func() (*SavedState, error) { return s.LoadState(ctx, alice.ID, token, 2) },
		"unknown":           func() (*SavedState, error) { return s.LoadState(ctx, alice.ID, "c3RhdGUgdG9rZW4", 1) },
		"not a token":       func() (*SavedState, error) { return s.LoadState(ctx, alice.ID, "c3RhdGUgdG9rZW4=", 1) },
		"too long":          func() (*SavedState, error) { return s.LoadState(ctx, alice.ID, string(make([]byte, 101)), 1) },
	} {
		if _, err := load(); !errors.Is(err, ErrNoSuchState) {
			t.Errorf("%s token: %v, want ErrNoSuchState", name, err)
		}
	}
	if err := s.TouchState(ctx, bob.ID, token); !errors.Is(err, ErrNoSuchState) {
		t.Errorf("bob touched alice's token: %v", err)
	}
}

// spec: ST-18
func TestStatesExpireThirtyDaysAfterLastUse(t *testing.T) {
	clock := newFakeClock()
	s := newClockedStore(t, clock)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	used, _ := s.SaveState(ctx, a.ID, 1, nil)
	unused, _ := s.SaveState(ctx, a.ID, 1, nil)
	clock.advance(29 * day)
	if _, err := s.LoadState(ctx, a.ID, used, 1); err != nil {
		t.Fatalf("29 days after saving: %v", err)
	}
	if err := s.TouchState(ctx, a.ID, used); err != nil {
		t.Fatal(err)
	}
	clock.advance(2 * day)
	if _, err := s.LoadState(ctx, a.ID, unused, 1); !errors.Is(err, ErrNoSuchState) {
		t.Errorf("31 days unused, still restorable: %v", err)
	}
	if _, err := s.LoadState(ctx, a.ID, used, 1); err != nil {
		t.Errorf("used 2 days ago, not restorable: %v", err)
	}
	n, err := s.CollectStates(ctx, clock.Now())
	if err != nil || n != 1 {
		t.Errorf("collected %d states (%v), want 1", n, err)
	}
	if c := countKeys(s, []byte{tState}) + countKeys(s, stateAccountPrefix(a.ID)); c != 2 {
		t.Errorf("%d state keys left, want 2 (one record, one index entry)", c)
	}
	clock.advance(30*day + time.Second)
	if n, _ := s.CollectStates(ctx, clock.Now()); n != 1 {
		t.Errorf("collected %d, want the last one", n)
	}
}

func countKeys(s *Store, prefix []byte) int {
	n := 0
	s.view(func(r kv.Reader) error {
		return r.Scan(prefix, nil, false, func(k, v []byte) (bool, error) { n++; return true, nil })
	})
	return n
}

// FuzzDecodeSavedState feeds arbitrary records to the decoder: it never
// panics, and whatever it accepts encodes back to a record that decodes to
// the same state.
func FuzzDecodeSavedState(f *testing.F) {
	f.Add(encodeSavedState(&SavedState{Account: 3, Format: 1, Created: time.Unix(5, 0), LastUsed: time.Unix(9, 0),
		Effects: []StateEffect{{Kind: "ENABLE", Args: []string{"QRESYNC"}}, {Kind: "CLIENTID", Args: []string{"X"}}}}))
	f.Add([]byte{recordVersion, 1, 1, 0, 0, 200})
	f.Add([]byte{recordVersion + 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeSavedState("tok", b)
		if err != nil {
			return
		}
		again, err := decodeSavedState("tok", encodeSavedState(st))
		if err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
		if !reflect.DeepEqual(st, again) {
			t.Fatalf("round trip changed the state: %+v became %+v", st, again)
		}
	})
}
