package sieve

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"time"
)

// Options limits what a script may use and how large it may be.
type Options struct {
	// Extensions are the capabilities a script may require; nil means every
	// capability the engine implements.
	Extensions []string
	// MaxScriptSize is the largest script in bytes; 0 means 1 MiB.
	MaxScriptSize int
	// MaxNesting bounds nested blocks and test lists; 0 means 32.
	MaxNesting int
	// MaxRedirects bounds distinct redirects per run; 0 means 4 (SV-18).
	MaxRedirects int
	// MaxActions bounds the actions one run may collect; 0 means 256.
	MaxActions int
	// NotifyMethods are the enotify methods scripts may use (RFC 5435
	// §3.2); nil means the built-in mailto only (MailtoMethod). Any other
	// scheme makes notify fail at run time (SV-57).
	NotifyMethods []NotifyMethod
	// Includes loads the scripts the include extension names (RFC 6609);
	// Compile reads each one once. nil: every included script is missing.
	Includes ScriptSource
}

const (
	defaultMaxScriptSize = 1 << 20
	defaultMaxNesting    = 32
	defaultMaxRedirects  = DefaultMaxRedirects
	defaultMaxActions    = 256
)

func (o Options) withDefaults() Options {
	if o.MaxScriptSize <= 0 {
		o.MaxScriptSize = defaultMaxScriptSize
	}
	if o.MaxNesting <= 0 {
		o.MaxNesting = defaultMaxNesting
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = defaultMaxRedirects
	}
	if o.MaxActions <= 0 {
		o.MaxActions = defaultMaxActions
	}
	return o
}

// Script is a compiled script. It holds no per-run state, so one Script may
// run concurrently for many deliveries.
type Script struct {
	opts     Options
	requires []string
	body     []cmdFunc
	flags    bool // imap4flags was required: keeps carry the internal flags
	nvars    int  // variables: how many names the script uses (run.vars' size)
	warnings []Error
	// inc is the include extension's record of the scripts this one and
	// its includes looked up, shared by every script of the tree.
	inc *includeSet
}

// Warnings lists problems that do not stop the script, such as a header
// name that can never match; ManageSieve reports them as WARNINGS.
func (s *Script) Warnings() []Error { return slices.Clone(s.warnings) }

// Requires returns the capabilities the script requires, in script order.
func (s *Script) Requires() []string { return slices.Clone(s.requires) }

// Input is one delivery of one message to one recipient.
type Input struct {
	Message  Message  // the message being delivered
	Envelope Envelope // MAIL FROM and the RCPT TO that caused this delivery

	// MailboxExists says whether the user has a mailbox of that name (UTF-8,
	// as the script wrote it) that delivery may store into, for the mailbox
	// extension's mailboxexists test. nil: only INBOX exists.
	MailboxExists func(name string) bool

	// UserAddresses are the recipient's own addresses besides
	// Envelope.To (the account's address and its aliases): vacation
	// answers only mail sent to one of them and never mail from one of
	// them (SV-38, SV-39).
	UserAddresses []string
	// Duplicates answers the duplicate test (RFC 7352) from the IDs the
	// account's earlier deliveries recorded (Result.Duplicates). nil:
	// nothing is ever a duplicate.
	Duplicates DuplicateTracker

	// Environment is what the environment test (RFC 5183) reports about
	// where the script runs (ext_environment.go).
	Environment Environment
	// Now is the current time for the date extension's currentdate test;
	// the zero value means the clock, read once per run, so every
	// currentdate test of one run sees the same instant (SV-68).
	Now time.Time
	// Location is the server's time zone, which date and currentdate
	// use when the script gives neither :zone nor :originalzone (SV-68);
	// nil means UTC.
	Location *time.Location
}

// Envelope holds the SMTP envelope addresses without angle brackets; From
// is "" for the null reverse path.
type Envelope struct{ From, To string }

// Message is the message being delivered.
type Message interface {
	// Header returns the raw values of every field with that name (matched
	// case-insensitively), in message order, without the name and colon.
	// Values may still be folded and RFC 2047-encoded; the engine unfolds,
	// trims and decodes them.
	Header(name string) []string
	// Size is the size of the whole message in octets.
	Size() int64
	// Body returns the whole raw message, header and body.
	Body() ([]byte, error)
}

// Result is what a run decided.
type Result struct {
	// Actions in execution order; the implicit keep appears as a Keep at
	// the end when it applies. A mailbox appears at most once (SV-15).
	Actions []Action
	// ImplicitKeep is true when no action cancelled the implicit keep; it
	// is then the last action, or folded into an explicit store into
	// INBOX.
	ImplicitKeep bool
	// keepAppended: the last action is the implicit keep itself, which a
	// script run after this one may still cancel (deliver.go).
	keepAppended bool

	// Duplicates are the IDs the duplicate test asks to record. The caller
	// records them only once the message was delivered as decided, never
	// for a run that failed (RFC 7352 §3).
	Duplicates []DuplicateMark
}

// DefaultMaxRedirects is how many redirects a run may make when Options
// does not say (SV-18); ManageSieve advertises it as MAXREDIRECTS.
const DefaultMaxRedirects = 4

// Capabilities returns the capabilities the engine implements, for
// ManageSieve's SIEVE capability and the default of Options.Extensions.
func Capabilities() []string {
	var caps []string
	for _, e := range extensions() {
		if e.name != "" {
			caps = append(caps, e.name)
		}
	}
	sort.Strings(caps)
	return caps
}

// Compile parses and validates a script. The error is a *CompileError that
// lists every problem found with its line and column.
func Compile(src []byte, opts Options) (*Script, error) {
	opts = opts.withDefaults()
	inc := newIncludeSet(opts.Includes)
	s, err := compileTree(src, opts, inc)
	// The compiled scripts must not keep the source (and what it holds)
	// alive in a cache.
	inc.src = nil
	if err != nil {
		return nil, err
	}
	s.opts.Includes = nil
	for _, u := range inc.units {
		if u.script != nil {
			u.script.opts.Includes = nil
		}
	}
	return s, nil
}

// compileTree compiles one script of an include tree (the main one or an
// included one) with the tree's shared include state.
func compileTree(src []byte, opts Options, inc *includeSet) (*Script, *CompileError) {
	if len(src) > opts.MaxScriptSize {
		return nil, &CompileError{Errors: []Error{{Line: 1, Column: 1,
			Msg: fmt.Sprintf("script is %d bytes, more than the limit of %d", len(src), opts.MaxScriptSize)}}}
	}
	cmds, err := parse(string(src), opts.MaxNesting)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, &CompileError{Errors: []Error{*e}}
		}
		return nil, &CompileError{Errors: []Error{{Line: 1, Column: 1, Msg: err.Error()}}}
	}
	c := newCompiler(opts)
	c.inc = inc
	s := c.script(cmds)
	if len(c.errs) > 0 {
		return nil, &CompileError{Errors: c.errs}
	}
	s.inc = inc
	return s, nil
}

// Run evaluates the script for one delivery. An error means the script
// failed at run time (or ctx ended): the caller must keep the message in
// INBOX and tell the user (SV-23, SV-26); no action from this run applies.
func (s *Script) Run(ctx context.Context, in *Input) (res *Result, err error) {
	if in == nil || in.Message == nil {
		return nil, errors.New("sieve: run without a message")
	}
	// A bug in an extension must not lose the message: it becomes a run
	// error, and the caller keeps the message (SV-23).
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("sieve: internal error: %v\n%s", p, debug.Stack())
		}
	}()
	r := newRun(ctx, s, in)
	if err := r.block(s.body); err != nil && err != errStop && err != errReturn {
		return nil, err
	}
	// A deadline that cut a test short made its answer meaningless.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sieve run stopped: %w", err)
	}
	res, err = r.result()
	if res != nil {
		res.Duplicates = r.dupMarks
	}
	return res, err
}
