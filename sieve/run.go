package sieve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

type (
	cmdFunc  func(r *run) error
	testFunc func(r *run) (bool, error)
)

// errStop unwinds the script for "stop"; it is not an error to the caller.
var errStop = errors.New("stop")

// run is the state of one evaluation. Actions are only collected here; the
// caller carries them out after the whole script succeeded (SV-22).
type run struct {
	ctx        context.Context
	s          *Script
	in         *Input
	actions    []Action
	cancelKeep bool
	redirects  []string
	flags      []string        // imap4flags' internal variable
	vacation   bool            // a vacation command ran (ext_vacation.go)
	vars       []string        // variables, by the index the compiler gave each name
	matchVars  []string        // ${0}..${9} of the last successful :matches
	dupSeen    map[string]bool // duplicate: answers asked this run (ext_duplicate.go)
	dupMarks   []DuplicateMark // duplicate: IDs to record after delivery
	varTaint   map[int]bool    // enotify: variables holding message data (NA-51), by slot

	// include (ext_include.go): the scripts included so far, for :once,
	// how many includes ran, and the global variables.
	included    map[includeKey]bool
	includeRuns int
	globals     []string

	headers   map[string][]string   // decoded values by lower-case name
	addresses map[string][]mailAddr // parsed addresses by lower-case name

	// clock is the instant currentdate sees (ext_date.go); nil until asked,
	// a pointer so that runs without currentdate stay as small as before.
	clock *time.Time
}

func newRun(ctx context.Context, s *Script, in *Input) *run {
	return &run{ctx: ctx, s: s, in: in}
}

func (r *run) block(cmds []cmdFunc) error {
	for _, c := range cmds {
		// spec: SV-27 — a run ends when its context does.
		if err := r.ctx.Err(); err != nil {
			return fmt.Errorf("sieve run stopped: %w", err)
		}
		if err := c(r); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) add(a Action, cancelsKeep bool) error {
	if len(r.actions) >= r.s.opts.MaxActions {
		return fmt.Errorf("more than %d actions", r.s.opts.MaxActions)
	}
	r.actions = append(r.actions, a)
	if cancelsKeep {
		r.cancelKeep = true
	}
	return nil
}

// header returns the decoded values of a field (SV-08).
func (r *run) header(name string) []string {
	key := strings.ToLower(name)
	if v, ok := r.headers[key]; ok {
		return v
	}
	var vals []string
	if validHeaderName(key) && r.in.Message != nil {
		raw := r.in.Message.Header(name)
		vals = make([]string, len(raw))
		for i, v := range raw {
			vals[i] = decodeHeader(v)
		}
	}
	if r.headers == nil {
		r.headers = map[string][]string{}
	}
	r.headers[key] = vals
	return vals
}

// address returns the addresses of every field with that name (SV-10).
func (r *run) address(name string) []mailAddr {
	key := strings.ToLower(name)
	if v, ok := r.addresses[key]; ok {
		return v
	}
	var addrs []mailAddr
	if validHeaderName(key) && r.in.Message != nil {
		for _, v := range r.in.Message.Header(name) {
			addrs = append(addrs, parseAddressList(unfold(v))...)
		}
	}
	if r.addresses == nil {
		r.addresses = map[string][]mailAddr{}
	}
	r.addresses[key] = addrs
	return addrs
}

// mailboxKey names the mailbox a keep or fileinto stores into, so that
// "INBOX" in any case is one mailbox (SV-15).
func mailboxKey(a Action) (string, bool) {
	switch a := a.(type) {
	case Keep:
		return "INBOX", true
	case FileInto:
		if strings.EqualFold(a.Mailbox, "INBOX") {
			return "INBOX", true
		}
		return a.Mailbox, true
	}
	return "", false
}

// result checks the collected actions against each other and returns them
// with duplicates folded and the implicit keep added.
func (r *run) result() (*Result, error) {
	var out []Action
	stored := map[string]int{} // mailbox -> index in out
	rejects := 0
	discarded := false
	var notified []string // mailto recipients of the notifies so far
	mailtos := 0
	for _, a := range r.actions {
		if key, ok := mailboxKey(a); ok {
			if i, dup := stored[key]; dup {
				// spec: SV-15 — stored once; the last flags win, and a
				// :create on any of them still creates the mailbox.
				out[i] = withFlags(out[i], flagsOf(a))
				if f, ok := a.(FileInto); ok && f.Create {
					if g, ok := out[i].(FileInto); ok {
						g.Create = true
						out[i] = g
					}
				}
				continue
			}
			stored[key] = len(out)
			out = append(out, a)
			continue
		}
		switch a := a.(type) {
		case Redirect:
			if slices.ContainsFunc(out, func(b Action) bool {
				rb, ok := b.(Redirect)
				return ok && sameMailbox(rb.Address, a.Address)
			}) {
				continue
			}
		case Reject:
			rejects++
		case Discard:
			if discarded {
				continue
			}
			discarded = true
		case Notify:
			n, keep := dedupNotify(a, &notified, mailtos > 0)
			if strings.HasPrefix(strings.ToLower(a.Method), "mailto:") {
				mailtos++
			}
			if !keep {
				continue
			}
			out = append(out, n)
			continue
		}
		out = append(out, a)
	}
	// spec: SV-33
	if rejects > 1 {
		return nil, errors.New("more than one reject or ereject")
	}
	if rejects == 1 {
		// A vacation that chose not to answer still conflicts (SV-33).
		if r.vacation {
			return nil, errors.New("reject cannot be combined with vacation")
		}
		for _, a := range out {
			switch a.(type) {
			case Keep, FileInto, Redirect, Vacation:
				return nil, fmt.Errorf("reject cannot be combined with %s", strings.Fields(a.String())[0])
			}
		}
	}
	// spec: SV-14 — the implicit keep.
	res := &Result{ImplicitKeep: !r.cancelKeep}
	if !r.cancelKeep {
		var flags []string
		if r.s.flags {
			flags = slices.Clone(r.flags)
		}
		if i, ok := stored["INBOX"]; ok {
			if r.s.flags {
				out[i] = withFlags(out[i], flags)
			}
		} else {
			out = append(out, Keep{Flags: flags})
			res.keepAppended = true
		}
	}
	res.Actions = out
	return res, nil
}

func flagsOf(a Action) []string {
	switch a := a.(type) {
	case Keep:
		return a.Flags
	case FileInto:
		return a.Flags
	}
	return nil
}

func withFlags(a Action, flags []string) Action {
	switch a := a.(type) {
	case Keep:
		a.Flags = flags
		return a
	case FileInto:
		a.Flags = flags
		return a
	}
	return a
}
