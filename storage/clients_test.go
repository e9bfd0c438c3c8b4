package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"zest/storage/kv"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClockedStore(t testing.TB, clock *fakeClock) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{Password: cheapKDF, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const day = 24 * time.Hour

var clientIDShape = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// spec: CI-08, CI-14, CI-15 (160 random bits make IDs unique beyond this server too)
func TestClientIDsAreUniqueAndWellFormed(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var accounts []*Account
	for i := range 5 {
		accounts = append(accounts, mustAccount(t, s, fmt.Sprintf("user%d@example.org", i)))
	}
	const workers, each = 40, 500 // 20,000 IDs
	ids := make([][]string, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			a := accounts[w%len(accounts)]
			for range each {
				l, err := s.NewClient(ctx, a.ID)
				if err != nil {
					errs <- err
					return
				}
				ids[w] = append(ids[w], l.ID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, list := range ids {
		for _, id := range list {
			if !clientIDShape.MatchString(id) {
				t.Fatalf("ID %q is not 1 to 64 ASCII letters and digits", id)
			}
			// 32 base32 characters carry 160 bits; fewer than 26 could
			// not carry the 128 the spec asks for.
			if len(id) < 26 {
				t.Fatalf("ID %q too short to carry 128 random bits", id)
			}
			if seen[id] {
				t.Fatalf("ID %s issued twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != workers*each {
		t.Fatalf("%d IDs, want %d", len(seen), workers*each)
	}
	total := 0
	for _, a := range accounts {
		list, err := s.Clients(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if !seen[c.ID] || c.Account != a.ID {
				t.Fatalf("stored client %+v was not issued to account %d", c, a.ID)
			}
		}
		total += len(list)
	}
	if total != workers*each {
		t.Errorf("store holds %d IDs, want %d", total, workers*each)
	}
}

// spec: CI-10, CI-13, CI-22, CI-30
func TestClientIDSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTestStore(t, dir)
	a := mustAccount(t, s, "alice@example.org")
	l, err := s.NewClient(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetClientSetting(ctx, a.ID, l.ID, "notify", []byte("webhook https://example.net/x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir)
	defer s.Close()
	if s.ClientOnline(a.ID, l.ID) {
		t.Error("a client is online after a restart, with no session")
	}
	l2, err := s.UseClient(ctx, a.ID, l.ID)
	if err != nil {
		t.Fatalf("ID lost over a restart: %v", err)
	}
	if !l2.Created.Equal(l.Created) {
		t.Errorf("created %v, was %v", l2.Created, l.Created)
	}
	set, err := s.ClientSettings(ctx, a.ID, l.ID)
	if err != nil || string(set["notify"]) != "webhook https://example.net/x" {
		t.Errorf("settings after restart = %q, %v", set, err)
	}
}

// spec: CI-18, CI-19, CI-26
func TestUseClientOnlyByItsAccount(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	alice := mustAccount(t, s, "alice@example.org")
	bob := mustAccount(t, s, "bob@example.org")
	l, err := s.NewClient(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	l.Release(ctx)
	forgotten, _ := s.NewClient(ctx, alice.ID)
	forgotten.Release(ctx)
	if err := s.ForgetClient(ctx, alice.ID, forgotten.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		account AccountID
		id      string
	}{
		{"another account's", bob.ID, l.ID},
		{"never issued", alice.ID, "0Lame1Client2ID3"},
		{"not an ID at all", alice.ID, `a "quoted" id with spaces`},
		{"too long", alice.ID, string(make([]byte, 300))},
		{"forgotten", alice.ID, forgotten.ID},
	} {
		if _, err := s.UseClient(ctx, tc.account, tc.id); !errors.Is(err, ErrNoSuchClient) {
			t.Errorf("%s ID: %v, want ErrNoSuchClient", tc.name, err)
		}
		if s.ClientOnline(tc.account, tc.id) {
			t.Errorf("%s ID is online after a refused use", tc.name)
		}
	}
	if err := s.SetClientSetting(ctx, bob.ID, l.ID, "x", []byte("y")); !errors.Is(err, ErrNoSuchClient) {
		t.Errorf("bob set a setting on alice's client: %v", err)
	}
	if got := s.OnlineClients(bob.ID); len(got) != 0 {
		t.Errorf("bob's online clients = %v", got)
	}
}

// spec: CI-23, CI-24, CI-25, CI-14
func TestCollectClientsKeepsRecentOnes(t *testing.T) {
	clock := newFakeClock()
	s := newClockedStore(t, clock)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	newReleased := func() string {
		l, err := s.NewClient(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		l.Release(ctx)
		if err := s.SetClientSetting(ctx, a.ID, l.ID, "notify", []byte("sub "+l.ID)); err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	old := newReleased()
	held, err := s.NewClient(ctx, a.ID) // online throughout
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(219 * day)
	recent := newReleased() // last seen 182 days before the collection
	clock.advance(182 * day)

	n, err := s.CollectClients(ctx, clock.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("collected %d IDs, want 1 (the one unseen for 401 days)", n)
	}
	if _, err := s.UseClient(ctx, a.ID, old); !errors.Is(err, ErrNoSuchClient) {
		t.Errorf("ID unseen for 401 days still usable: %v", err)
	}
	if _, err := s.ClientSettings(ctx, a.ID, old); !errors.Is(err, ErrNoSuchClient) {
		t.Errorf("collected ID's settings still readable: %v", err)
	}
	if !s.ClientOnline(a.ID, held.ID) {
		t.Error("an online client was collected")
	}
	set, err := s.ClientSettings(ctx, a.ID, recent)
	if err != nil || string(set["notify"]) != "sub "+recent {
		t.Errorf("ID seen 182 days ago lost its settings: %q, %v", set, err)
	}
	// No configuration may collect sooner than 183 days.
	if n, _ := s.CollectClients(ctx, clock.Now(), time.Hour); n != 0 {
		t.Errorf("a 1-hour maximum age collected %d IDs seen 182 days ago", n)
	}
	clock.advance(2 * day)
	if n, _ := s.CollectClients(ctx, clock.Now(), time.Hour); n != 1 {
		t.Errorf("after 184 days unseen, collected %d IDs, want 1", n)
	}
	// Collected IDs stay taken: the store never issues them again.
	err = s.view(func(r kv.Reader) error {
		for _, id := range []string{old, recent} {
			taken, err := clientIDTaken(r, id)
			if err != nil {
				return err
			}
			if !taken {
				t.Errorf("collected ID %s could be issued again", id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	held.Release(ctx)
}

// spec: CI-21, CI-23, CI-27, CI-28
func TestOnlineRegistryCountsSessions(t *testing.T) {
	clock := newFakeClock()
	s := newClockedStore(t, clock)
	ctx := context.Background()
	a := mustAccount(t, s, "alice@example.org")
	sub := s.Subscribe(a.ID, 16)
	defer sub.Close()
	first, err := s.NewClient(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Hour)
	second, err := s.UseClient(ctx, a.ID, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !second.LastSeen.Equal(clock.Now()) {
		t.Errorf("taking the ID into use left last seen at %v", second.LastSeen)
	}
	if got := s.OnlineClients(a.ID); len(got) != 1 || got[0] != first.ID {
		t.Errorf("online = %v, want [%s]", got, first.ID)
	}
	first.Release(ctx)
	first.Release(ctx) // a second release changes nothing
	if !s.ClientOnline(a.ID, first.ID) {
		t.Error("offline while a second session still uses the ID")
	}
	clock.advance(time.Hour)
	second.Release(ctx)
	if s.ClientOnline(a.ID, first.ID) {
		t.Error("online after its last session ended")
	}
	c, err := s.Client(ctx, a.ID, first.ID)
	if err != nil || !c.LastSeen.Equal(clock.Now()) {
		t.Errorf("last seen after the session ended = %v, %v; want %v", c, err, clock.Now())
	}
	var got []string
	for len(sub.C) > 0 {
		ev := <-sub.C
		got = append(got, ev.Kind.String()+" "+ev.ClientID)
	}
	want := []string{"vnd.zest.ClientOnline " + first.ID, "vnd.zest.ClientOffline " + first.ID}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

// spec: CI-26, ST-18
func TestDeleteAccountRemovesClientsAndStates(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	alice := mustAccount(t, s, "alice@example.org")
	bob := mustAccount(t, s, "bob@example.org")
	var aliceIDs []string
	for range 150 { // more than one removal batch
		l, err := s.NewClient(ctx, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		l.Release(ctx)
		s.SetClientSetting(ctx, alice.ID, l.ID, "k", []byte("v"))
		aliceIDs = append(aliceIDs, l.ID)
	}
	token, _ := s.SaveState(ctx, alice.ID, 1, []StateEffect{{Kind: "CLIENTID", Args: aliceIDs[:1]}})
	bobClient, _ := s.NewClient(ctx, bob.ID)
	bobToken, _ := s.SaveState(ctx, bob.ID, 1, nil)
	if err := s.DeleteAccount(ctx, "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadState(ctx, alice.ID, token, 1); !errors.Is(err, ErrNoSuchState) {
		t.Errorf("alice's state survived her account: %v", err)
	}
	count := func(prefix []byte) int {
		n := 0
		s.view(func(r kv.Reader) error {
			return r.Scan(prefix, nil, false, func(k, v []byte) (bool, error) { n++; return true, nil })
		})
		return n
	}
	for name, n := range map[string]int{
		"client records": count([]byte{tClient}), "client index": count(clientAccountPrefix(alice.ID)),
		"settings": count([]byte{tClientSet}), "states": count([]byte{tState}), "state index": count(stateAccountPrefix(alice.ID)),
	} {
		want := 0
		if name == "client records" || name == "states" {
			want = 1 // bob's
		}
		if n != want {
			t.Errorf("%s left: %d, want %d", name, n, want)
		}
	}
	if _, err := s.UseClient(ctx, bob.ID, bobClient.ID); err != nil {
		t.Errorf("bob's ID: %v", err)
	}
	if _, err := s.LoadState(ctx, bob.ID, bobToken, 1); err != nil {
		t.Errorf("bob's state: %v", err)
	}
	err := s.view(func(r kv.Reader) error {
		taken, err := clientIDTaken(r, aliceIDs[0])
		if err == nil && !taken {
			t.Error("a deleted account's ID could be issued again")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
