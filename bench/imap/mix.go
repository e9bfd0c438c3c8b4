package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/bench/internal/harness"
)

// op is one kind of operation of the mix. run sends its commands on the
// session's connection, checks the answers, and returns the latency to
// record: the time from the first command written to the last tagged reply,
// without any time the client itself waits (the hold of an IDLE).
type op struct {
	name     string
	weight   int    // relative; the weights of mix add up to 100
	commands string // what it sends, for the printed mix
	run      func(s *session) (time.Duration, error)
}

// newest is how many of the newest messages fetchHeaders asks for, the
// first screen of a mobile client's message list.
const newest = 50

// mix is the operation mix: after LOGIN and SELECT INBOX, each client picks
// its next operation at random with these weights until the run's time is up.
// It is a mobile client's day: polls (NOOP, IDLE) and reading (one body,
// marking it seen) dominate; opening the folder resynchronises the flags of
// the whole mailbox and refetches the newest headers; searching and saving a
// message (APPEND, then removing it so that the mailbox size stays constant)
// are rarer.
var mix = []op{
	{"select", 4, "SELECT INBOX", (*session).selectInbox},
	{"fetch-flags", 8, "FETCH 1:* (UID FLAGS)", (*session).fetchFlags},
	{"fetch-headers", 10, fmt.Sprintf("UID FETCH <%dth newest>:* (ENVELOPE FLAGS INTERNALDATE RFC822.SIZE BODYSTRUCTURE)", newest), (*session).fetchHeaders},
	{"fetch-body", 20, "UID FETCH <random> BODY.PEEK[]", (*session).fetchBody},
	{"store", 16, `UID STORE <random> +FLAGS (\Seen), or -FLAGS, half each`, (*session).store},
	{"search", 10, `UID SEARCH, one of: UNSEEN | FROM "<name>" | SUBJECT "<word>" | SINCE <date>`, (*session).search},
	{"append-expunge", 4, `APPEND INBOX (\Seen), UID STORE +FLAGS.SILENT (\Deleted), UID EXPUNGE (without UIDPLUS: UID SEARCH HEADER Message-ID, STORE, EXPUNGE)`, (*session).appendExpunge},
	{"noop", 26, "NOOP", (*session).noop},
	{"idle", 2, "IDLE, hold it for -idle, DONE (latency: IDLE to +, plus DONE to OK)", (*session).idle},
}

// picker chooses operations of a mix by weight.
type picker struct {
	cum []int // cum[k] is the sum of the weights of ops[0..k]
}

func newPicker(ops []op) picker {
	p := picker{cum: make([]int, len(ops))}
	sum := 0
	for k, o := range ops {
		sum += o.weight
		p.cum[k] = sum
	}
	return p
}

// pick returns the index of the next operation.
func (p picker) pick(rng *rand.Rand) int {
	x := rng.IntN(p.cum[len(p.cum)-1])
	for k, c := range p.cum {
		if x < c {
			return k
		}
	}
	return len(p.cum) - 1
}

// searchWords are the SUBJECT search terms: the longer words of the
// generator's vocabulary, each found in some subjects.
var searchWords = func() []string {
	var out []string
	for _, w := range harness.Vocabulary {
		if len(w) >= 6 {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}()

// searchKinds are the UID SEARCH variants, picked uniformly.
var searchKinds = []struct {
	name     string
	criteria func(rng *rand.Rand, now time.Time) *imap.SearchCriteria
}{
	{"UNSEEN", func(*rand.Rand, time.Time) *imap.SearchCriteria {
		return &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}
	}},
	{"FROM", func(rng *rand.Rand, _ time.Time) *imap.SearchCriteria {
		name := strings.ToLower(harness.FirstNames[rng.IntN(len(harness.FirstNames))])
		return &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: name}}}
	}},
	{"SUBJECT", func(rng *rand.Rand, _ time.Time) *imap.SearchCriteria {
		word := searchWords[rng.IntN(len(searchWords))]
		return &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: word}}}
	}},
	// SINCE compares the internal date (the delivery time): a client
	// syncing "the last days" of mail.
	{"SINCE", func(rng *rand.Rand, now time.Time) *imap.SearchCriteria {
		return &imap.SearchCriteria{Since: now.AddDate(0, 0, -rng.IntN(14))}
	}},
}

func (s *session) randomUID() imap.UID {
	return s.w.uids[s.rng.IntN(len(s.w.uids))]
}

func timed(f func() error) (time.Duration, error) {
	t0 := time.Now()
	err := f()
	return time.Since(t0), err
}

func (s *session) selectInbox() (time.Duration, error) {
	return timed(func() error {
		data, err := s.c.Select("INBOX", nil).Wait()
		if err != nil {
			return err
		}
		if int(data.NumMessages) < len(s.w.uids) {
			return fmt.Errorf("INBOX has %d messages, want at least %d", data.NumMessages, len(s.w.uids))
		}
		return nil
	})
}

func (s *session) fetchFlags() (time.Duration, error) {
	return timed(func() error {
		cmd := s.c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true})
		n := 0
		for m := cmd.Next(); m != nil; m = cmd.Next() {
			buf, err := m.Collect()
			if err != nil {
				cmd.Close()
				return err
			}
			if buf.UID != 0 {
				n++
			}
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		if n < len(s.w.uids) {
			return fmt.Errorf("%d messages with a UID, want at least %d", n, len(s.w.uids))
		}
		return nil
	})
}

func (s *session) fetchHeaders() (time.Duration, error) {
	first := s.w.uids[max(0, len(s.w.uids)-newest)]
	want := min(newest, len(s.w.uids))
	return timed(func() error {
		msgs, err := s.c.Fetch(imap.UIDSet{{Start: first, Stop: 0}}, &imap.FetchOptions{
			Envelope: true, Flags: true, InternalDate: true, RFC822Size: true,
			BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		}).Collect()
		if err != nil {
			return err
		}
		n := 0
		for _, m := range msgs {
			if m.Envelope != nil && m.BodyStructure != nil && m.RFC822Size > 0 {
				n++
			}
		}
		if n < want {
			return fmt.Errorf("%d messages with envelope, body structure and size, want at least %d", n, want)
		}
		return nil
	})
}

var bodyPeek = &imap.FetchItemBodySection{Peek: true}

func (s *session) fetchBody() (time.Duration, error) {
	uid := s.randomUID()
	return timed(func() error {
		msgs, err := s.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{
			BodySection: []*imap.FetchItemBodySection{bodyPeek},
		}).Collect()
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if b := m.FindBodySection(bodyPeek); m.UID == uid && len(b) > 0 {
				if !bytes.Contains(b, []byte("\r\n\r\n")) {
					return fmt.Errorf("UID %d: BODY[] of %d bytes has no header/body separator", uid, len(b))
				}
				return nil
			}
		}
		return fmt.Errorf("no BODY[] for UID %d in %d FETCH responses", uid, len(msgs))
	})
}

func (s *session) store() (time.Duration, error) {
	uid := s.randomUID()
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}
	if s.rng.IntN(2) == 0 {
		flags.Op = imap.StoreFlagsDel
	}
	return timed(func() error {
		return s.c.Store(imap.UIDSetNum(uid), flags, nil).Close()
	})
}

func (s *session) search() (time.Duration, error) {
	kind := searchKinds[s.rng.IntN(len(searchKinds))]
	criteria := kind.criteria(s.rng, s.w.now)
	return timed(func() error {
		if _, err := s.c.UIDSearch(criteria, nil).Wait(); err != nil {
			return fmt.Errorf("%s: %w", kind.name, err)
		}
		return nil
	})
}

func (s *session) appendExpunge() (time.Duration, error) {
	s.appends++
	gen := s.w.gen
	gen.Tag = fmt.Sprintf("%s-append-%s", gen.Tag, s.id)
	i := len(s.w.uids) + s.appends
	msg := crlf(gen.Message(i))
	msgID := messageID(msg)
	return timed(func() error {
		cmd := s.c.Append("INBOX", int64(len(msg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}})
		if _, err := cmd.Write(msg); err != nil {
			cmd.Close()
			return fmt.Errorf("APPEND: %w", err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("APPEND: %w", err)
		}
		data, err := cmd.Wait()
		if err != nil {
			return fmt.Errorf("APPEND: %w", err)
		}
		uid := data.UID
		if s.uidplus && uid == 0 {
			return errors.New("APPEND: no APPENDUID, although UIDPLUS is advertised")
		}
		if !s.uidplus {
			// No APPENDUID: find the message by its Message-ID.
			found, err := s.c.UIDSearch(&imap.SearchCriteria{
				Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: msgID}},
			}, nil).Wait()
			if err != nil {
				return fmt.Errorf("UID SEARCH HEADER Message-ID: %w", err)
			}
			uids := found.AllUIDs()
			if len(uids) != 1 {
				return fmt.Errorf("UID SEARCH HEADER Message-ID %s found %d messages, want 1", msgID, len(uids))
			}
			uid = uids[0]
		}
		set := imap.UIDSetNum(uid)
		deleted := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
		if err := s.c.Store(set, deleted, nil).Close(); err != nil {
			return fmt.Errorf("UID STORE +FLAGS.SILENT (\\Deleted): %w", err)
		}
		if !s.uidplus {
			// A plain EXPUNGE removes every \Deleted message: another
			// client's may have removed this one already.
			if _, err := s.c.Expunge().Collect(); err != nil {
				return fmt.Errorf("EXPUNGE: %w", err)
			}
			return nil
		}
		seqs, err := s.c.UIDExpunge(set).Collect()
		if err != nil {
			return fmt.Errorf("UID EXPUNGE: %w", err)
		}
		if len(seqs) == 0 {
			return fmt.Errorf("UID EXPUNGE %d expunged nothing", uid)
		}
		return nil
	})
}

func (s *session) noop() (time.Duration, error) {
	return timed(func() error { return s.c.Noop().Wait() })
}

func (s *session) idle() (time.Duration, error) {
	if !s.idleCap {
		return 0, errors.New("IDLE not advertised")
	}
	t0 := time.Now()
	cmd, err := s.c.Idle()
	if err != nil {
		return 0, err
	}
	started := time.Since(t0)
	time.Sleep(s.w.idleHold)
	t1 := time.Now()
	if err := cmd.Close(); err != nil {
		return 0, fmt.Errorf("DONE: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return 0, err
	}
	return started + time.Since(t1), nil
}

// crlf turns the generator's bare LF line endings into CRLF, as IMAP
// APPEND wants them.
func crlf(msg []byte) []byte {
	return bytes.ReplaceAll(msg, []byte("\n"), []byte("\r\n"))
}

// messageID returns the Message-ID header's value of a generated message.
func messageID(msg []byte) string {
	for _, line := range strings.Split(string(msg), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			break
		}
		if name, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Message-ID") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
