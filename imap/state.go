package imap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"zest/storage"
)

// STATE and SAVESTATE (draft-imap-state-00, capability STATE): after STATE
// the server marks each command whose effect it can save with an untagged
// OK [STATECMD tag]; SAVESTATE stores the combined effect under a token;
// STATE <token> in a later session re-applies it in one round trip.

var stateCommands = map[string]commandSpec{
	"STATE":     {states: stateAuth, handle: handleState},  // ST-02
	"SAVESTATE": {states: authed, handle: handleSaveState}, // ST-03
}

// stateFormat versions how effects are written into saved states; a state
// of another format is never restored (ST-17). Change it whenever a saved
// effect's arguments change meaning.
const stateFormat = 1

// stateEffect is how one saveable command's effect is kept and restored.
type stateEffect struct {
	// accumulate: a later command adds its arguments to the saved ones
	// (ENABLE); otherwise it replaces them (the last one wins).
	accumulate bool
	// prepare checks that the effect can still be applied to c and returns
	// what applies it and what undoes the preparation if another effect
	// of the same state cannot be applied (ST-25).
	prepare func(c *conn, args []string) (apply, undo func(), err error)
	// visible: prepare changes what others see (a Client-ID goes online),
	// so it runs after every other effect's prepare has succeeded.
	visible bool
}

// stateEffects is the saveable set (ST-07): a command joins it with a row
// here and a saveEffect call where its handler succeeds.
var stateEffects = map[string]stateEffect{
	"ENABLE":   {accumulate: true, prepare: prepareEnable},
	"CLIENTID": {prepare: prepareClientID, visible: true},
}

// saveEffect records the effect of the command being run; reply saves it
// (and says STATECMD) only if the command ends OK and tracking is on.
func (c *conn) saveEffect(kind string, args ...string) {
	c.effect = &storage.StateEffect{Kind: kind, Args: args}
}

// savedSet is what SAVESTATE would save now: one effect per kind, in the
// order each kind first appeared (ST-11).
type savedSet struct {
	effects []storage.StateEffect
}

func (s *savedSet) add(ef storage.StateEffect) {
	i := slices.IndexFunc(s.effects, func(e storage.StateEffect) bool { return e.Kind == ef.Kind })
	if i < 0 {
		s.effects = append(s.effects, storage.StateEffect{Kind: ef.Kind, Args: slices.Clone(ef.Args)})
		return
	}
	if !stateEffects[ef.Kind].accumulate {
		s.effects[i].Args = slices.Clone(ef.Args)
		return
	}
	for _, a := range ef.Args {
		if !slices.ContainsFunc(s.effects[i].Args, func(b string) bool { return strings.EqualFold(a, b) }) {
			s.effects[i].Args = append(s.effects[i].Args, a)
		}
	}
}

// stateCommand adds a successful command's effect to the saved set and
// tells the client, right before its tagged OK (ST-07, ST-29).
func (c *conn) stateCommand(tag string, ef *storage.StateEffect) {
	if c.saved == nil {
		return // ST-08: tracking is off
	}
	if _, ok := stateEffects[ef.Kind]; !ok {
		// A handler saves an effect nobody can restore: a bug, not worth
		// ending the session for.
		c.log.Error("imap: effect missing from stateEffects", "kind", ef.Kind)
		return
	}
	c.saved.add(*ef)
	c.enc.Raw("* OK [STATECMD ").Raw(tag).Raw("] ").Raw(ef.Kind).Raw(" will be saved in state data").CRLF()
}

func handleState(c *conn, cmd *command) error {
	var token string
	restore := c.dec.SP()
	if restore && !c.dec.ExpectAString(&token) {
		return c.dec.Err()
	}
	if err := c.endOfArgs(); err != nil {
		return err // ST-04
	}
	if c.saved != nil {
		return no("", "STATE was already used in this session") // ST-05
	}
	notRestored := &respError{status: "OK", text: "state not restored; commands that can be saved will be marked"}
	if !restore {
		c.saved = &savedSet{} // ST-06
		return notRestored
	}
	st, err := c.srv.store.LoadState(c.ctx, c.account.ID, token, stateFormat)
	if errors.Is(err, storage.ErrNoSuchState) {
		c.saved = &savedSet{} // ST-24, ST-27
		return notRestored
	}
	if err != nil {
		c.log.Error("imap state restore", "err", err)
		return no("UNAVAILABLE", "state storage is not available") // ST-26
	}
	if !c.restoreState(st.Effects) {
		c.saved = &savedSet{} // ST-25
		return notRestored
	}
	if err := c.srv.store.TouchState(c.ctx, c.account.ID, token); err != nil {
		// The state is restored; only its lifetime did not restart.
		c.log.Warn("imap state restore", "err", err)
	}
	// ST-19, ST-20: this line stands for every saved command's responses.
	c.enc.Raw("* STATE ").Raw(token).CRLF()
	return &respError{status: "OK", text: "state restored"}
}

// restoreState applies every saved effect or, when any of them can no
// longer be applied, none (ST-25). It turns tracking on with the restored
// effects as the saved set (ST-11).
func (c *conn) restoreState(effects []storage.StateEffect) bool {
	ordered := slices.Clone(effects)
	slices.SortStableFunc(ordered, func(a, b storage.StateEffect) int {
		va, vb := stateEffects[a.Kind].visible, stateEffects[b.Kind].visible
		switch {
		case va == vb:
			return 0
		case vb:
			return -1
		}
		return 1
	})
	var applies, undos []func()
	for _, ef := range ordered {
		spec, ok := stateEffects[ef.Kind]
		var apply, undo func()
		err := fmt.Errorf("unknown saved effect %s", ef.Kind)
		if ok {
			apply, undo, err = spec.prepare(c, ef.Args)
		}
		if err != nil {
			c.log.Info("imap state not restored", "effect", ef.Kind, "reason", err)
			for _, u := range slices.Backward(undos) {
				u()
			}
			return false
		}
		applies = append(applies, apply)
		if undo != nil {
			undos = append(undos, undo)
		}
	}
	for _, apply := range applies {
		apply()
	}
	c.saved = &savedSet{}
	for _, ef := range effects {
		c.saved.add(ef)
	}
	return true
}

// prepareEnable re-enables what ENABLE turned on, exactly as ENABLE would,
// but without the ENABLED response (ST-20, ST-21).
func prepareEnable(c *conn, args []string) (apply, undo func(), err error) {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = strings.ToUpper(a)
		if !enableable[names[i]] {
			return nil, nil, fmt.Errorf("%s can no longer be enabled", a)
		}
	}
	return func() {
		c.enable(names)
		if c.enabled["UTF8=ACCEPT"] {
			c.dec.UTF8, c.enc.UTF8 = true, true
		}
	}, nil, nil
}

// prepareClientID takes the saved Client-ID into use again, without the
// untagged response (CI-32, ST-23).
func prepareClientID(c *conn, args []string) (apply, undo func(), err error) {
	if len(args) != 1 {
		return nil, nil, errors.New("malformed saved Client-ID")
	}
	if c.client != nil {
		if c.client.ID != args[0] {
			return nil, nil, errors.New("the session already uses another Client-ID")
		}
		return func() {}, nil, nil
	}
	lease, err := c.srv.store.UseClient(c.ctx, c.account.ID, args[0])
	if err != nil {
		return nil, nil, fmt.Errorf("client ID: %w", err)
	}
	apply = func() { c.client = lease }
	undo = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		lease.Release(ctx)
	}
	return apply, undo, nil
}

func handleSaveState(c *conn, cmd *command) error {
	if err := c.endOfArgs(); err != nil {
		return err // ST-04
	}
	if c.saved == nil {
		return no("", "nothing to save: send STATE first") // ST-12
	}
	token, err := c.srv.store.SaveState(c.ctx, c.account.ID, stateFormat, c.saved.effects)
	if errors.Is(err, storage.ErrDiskFull) {
		return err
	}
	if err != nil {
		c.log.Error("imap savestate", "err", err)
		return no("", "the state could not be stored") // ST-13
	}
	c.enc.Raw("* SAVESTATE ").Raw(token).CRLF() // ST-10
	return nil
}
