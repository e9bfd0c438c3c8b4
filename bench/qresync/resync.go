package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// measure is what one resync cost, from its first command to its last
// tagged answer: LOGIN before it and LOGOUT after it are not counted.
type measure struct {
	use  usage
	wall time.Duration
}

// selectInfo collects the untagged data of a SELECT or EXAMINE.
type selectInfo struct {
	exists      uint32
	uidValidity uint32
	highest     uint64
}

// note reads the SELECT data of one line; it reports whether the line was
// one.
func (s *selectInfo) note(line []byte) bool {
	if n, kw, _, ok := untagged(line); ok && kw == "EXISTS" {
		s.exists = n
		return true
	}
	switch name, arg := statusCode(line); name {
	case "UIDVALIDITY":
		v, _ := strconv.ParseUint(arg, 10, 32)
		s.uidValidity = uint32(v)
		return true
	case "HIGHESTMODSEQ":
		s.highest, _ = strconv.ParseUint(arg, 10, 64)
		return true
	case "":
		return false
	}
	return true
}

// fetchInto returns an untagged handler that records each FETCH's flags
// in b (and its MODSEQ in modseqs, when not nil) and passes other lines to
// other.
func fetchInto(b *box, modseqs map[uint32]uint64, written map[uint32]string, other func([]byte) error) func([]byte) error {
	return func(line []byte) error {
		f, ok, err := parseFetch(line)
		if err != nil {
			return err
		}
		if !ok {
			if other != nil {
				return other(line)
			}
			return nil
		}
		if f.uid == 0 {
			return errNoUID
		}
		if !f.hasFlags {
			return nil // e.g. a FETCH that only reports a MODSEQ
		}
		b.flags[f.uid] = canonFlags(f.flags)
		if modseqs != nil && f.modseq > 0 {
			modseqs[f.uid] = f.modseq
		}
		if written != nil {
			var w []string
			for _, fl := range f.flags {
				if !strings.EqualFold(fl, `\Recent`) {
					w = append(w, fl)
				}
			}
			written[f.uid] = strings.Join(w, " ")
		}
		return nil
	}
}

// firstResult is the outcome of the first sync.
type firstResult struct {
	box         *box
	m           measure
	notes       []string // the fallbacks the server needed
	modseqFetch bool     // the server answered the MODSEQ fetch item
}

// firstSync is the client's first visit: SELECT INBOX, then UID FETCH 1:*
// (UID FLAGS MODSEQ), keeping UIDVALIDITY and HIGHESTMODSEQ for QRESYNC.
// A server without the MODSEQ fetch item is asked for (UID FLAGS), and for
// its HIGHESTMODSEQ with STATUS when SELECT did not send it.
func firstSync(addr string, timeout time.Duration) (firstResult, error) {
	var fr firstResult
	c, err := login(addr, benchUser, benchPassword, timeout)
	if err != nil {
		return fr, err
	}
	defer c.logout()
	u0, t0 := c.mark(), time.Now()
	var si selectInfo
	if _, err := c.ok("SELECT INBOX", func(line []byte) error { si.note(line); return nil }); err != nil {
		return fr, err
	}
	b := newBox(si.uidValidity)
	handler := fetchInto(b, nil, nil, func(line []byte) error { si.note(line); return nil })
	r, err := c.run("UID FETCH 1:* (UID FLAGS MODSEQ)", handler)
	if err != nil {
		return fr, err
	}
	fr.modseqFetch = r.status == "OK"
	if !fr.modseqFetch {
		fr.notes = append(fr.notes, fmt.Sprintf("UID FETCH 1:* (UID FLAGS MODSEQ) answered %s, so (UID FLAGS) instead", clipString(r.String())))
		if _, err := c.ok("UID FETCH 1:* (UID FLAGS)", handler); err != nil {
			return fr, err
		}
	}
	if si.highest == 0 {
		r, err := c.run("STATUS INBOX (HIGHESTMODSEQ)", func(line []byte) error {
			if v, ok := statusHighestModseq(line); ok {
				si.highest = v
			}
			return nil
		})
		if err != nil {
			return fr, err
		}
		if si.highest > 0 {
			fr.notes = append(fr.notes, "HIGHESTMODSEQ from STATUS INBOX (HIGHESTMODSEQ): SELECT and FETCH did not send it")
		} else {
			fr.notes = append(fr.notes, "no HIGHESTMODSEQ from SELECT, FETCH or STATUS ("+clipString(r.String())+"): no QRESYNC possible")
		}
	}
	fr.m = measure{use: c.mark().sub(u0), wall: time.Since(t0)}
	b.modseq = si.highest
	fr.box = b
	if uint32(len(b.flags)) != si.exists {
		return fr, fmt.Errorf("first sync: UID FETCH 1:* returned %d messages, SELECT said %d EXISTS", len(b.flags), si.exists)
	}
	return fr, nil
}

// noQresyncError is a server that does not do the QRESYNC resync: it
// refuses ENABLE QRESYNC or the SELECT parameter, or accepts them but
// sends no VANISHED (EARLIER) for messages expunged since the client's
// mod-sequence. The benchmark reports it instead of measuring.
type noQresyncError struct{ why string }

func (e *noQresyncError) Error() string { return e.why }

func noQresync(format string, a ...any) error { return &noQresyncError{why: fmt.Sprintf(format, a...)} }

// resyncQresync brings prev up to date the RFC 7162 way: ENABLE QRESYNC,
// then SELECT INBOX (QRESYNC (<uidvalidity> <modseq>)), whose answer
// carries the UIDs expunged since (VANISHED (EARLIER)) and the flags of the
// messages changed since (FETCH). expunged is how many messages the client
// must learn were expunged.
func resyncQresync(addr string, prev *box, expunged int, timeout time.Duration) (*box, measure, error) {
	c, err := login(addr, benchUser, benchPassword, timeout)
	if err != nil {
		return nil, measure{}, err
	}
	defer c.logout()
	next := prev.clone()
	var si selectInfo
	vanished := 0
	var plainVanished, expungeLines int
	handler := fetchInto(next, nil, nil, func(line []byte) error {
		if si.note(line) {
			return nil
		}
		earlier, uids, ok, err := parseVanished(line)
		if err != nil {
			return err
		}
		if ok {
			if !earlier {
				plainVanished++
			}
			for _, u := range uids {
				if _, known := next.flags[u]; known {
					delete(next.flags, u)
					vanished++
				}
			}
			return nil
		}
		if _, kw, _, ok := untagged(line); ok && kw == "EXPUNGE" {
			expungeLines++
		}
		return nil
	})
	u0, t0 := c.mark(), time.Now()
	r1, err := c.run("ENABLE QRESYNC", nil)
	if err != nil {
		return nil, measure{}, err
	}
	cmd := fmt.Sprintf("SELECT INBOX (QRESYNC (%d %d))", prev.uidValidity, prev.modseq)
	var r2 result
	if r1.status == "OK" {
		if r2, err = c.run(cmd, handler); err != nil {
			return nil, measure{}, err
		}
	}
	m := measure{use: c.mark().sub(u0), wall: time.Since(t0)}
	switch {
	case r1.status != "OK":
		return nil, m, noQresync("ENABLE QRESYNC answered %s", clipString(r1.String()))
	case r2.status != "OK":
		return nil, m, noQresync("%s answered %s", cmd, clipString(r2.String()))
	case si.uidValidity != prev.uidValidity:
		return nil, m, fmt.Errorf("%s: UIDVALIDITY is now %d, was %d", cmd, si.uidValidity, prev.uidValidity)
	case expunged > 0 && vanished == 0:
		return nil, m, noQresync("%s answered OK but reported none of the %d messages expunged since mod-sequence %d (no VANISHED (EARLIER); %d EXPUNGE lines)",
			cmd, expunged, prev.modseq, expungeLines)
	case plainVanished > 0 || expungeLines > 0:
		return nil, m, fmt.Errorf("%s: %d VANISHED without EARLIER and %d EXPUNGE during the SELECT", cmd, plainVanished, expungeLines)
	case si.highest == 0:
		return nil, m, fmt.Errorf("%s: no HIGHESTMODSEQ in the answer", cmd)
	case uint32(len(next.flags)) != si.exists:
		return nil, m, fmt.Errorf("%s: after the resync the client has %d messages, the server says %d EXISTS", cmd, len(next.flags), si.exists)
	}
	next.modseq = si.highest
	return next, m, nil
}

// resyncFull brings a client up to date without QRESYNC: SELECT INBOX,
// then the flags of every message with UID FETCH 1:* (FLAGS); whatever is
// not in the answer was expunged.
func resyncFull(addr string, uidValidity uint32, timeout time.Duration) (*box, measure, error) {
	c, err := login(addr, benchUser, benchPassword, timeout)
	if err != nil {
		return nil, measure{}, err
	}
	defer c.logout()
	var si selectInfo
	next := newBox(uidValidity)
	u0, t0 := c.mark(), time.Now()
	if _, err := c.ok("SELECT INBOX", func(line []byte) error { si.note(line); return nil }); err != nil {
		return nil, measure{}, err
	}
	if _, err := c.ok("UID FETCH 1:* (FLAGS)", fetchInto(next, nil, nil, nil)); err != nil {
		return nil, measure{}, err
	}
	m := measure{use: c.mark().sub(u0), wall: time.Since(t0)}
	switch {
	case si.uidValidity != uidValidity:
		return nil, m, fmt.Errorf("full resync: UIDVALIDITY is now %d, was %d", si.uidValidity, uidValidity)
	case uint32(len(next.flags)) != si.exists:
		return nil, m, fmt.Errorf("full resync: UID FETCH 1:* returned %d messages, SELECT said %d EXISTS", len(next.flags), si.exists)
	}
	return next, m, nil
}

// readTruth reads the server's state, not timed: EXAMINE INBOX (read-only,
// so it changes nothing) and UID FETCH 1:* (UID FLAGS MODSEQ), or (UID
// FLAGS) for a server without the MODSEQ item, with HIGHESTMODSEQ.
func readTruth(addr string, withModseq bool, timeout time.Duration) (*truth, error) {
	c, err := login(addr, benchUser, benchPassword, timeout)
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	defer c.logout()
	var si selectInfo
	if _, err := c.ok("EXAMINE INBOX", func(line []byte) error { si.note(line); return nil }); err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	t := &truth{box: *newBox(si.uidValidity), seq: map[uint32]uint32{}, written: map[uint32]string{}, modseqs: map[uint32]uint64{}}
	items := "(UID FLAGS)"
	if withModseq {
		items = "(UID FLAGS MODSEQ)"
	}
	handler := fetchInto(&t.box, t.modseqs, t.written, func(line []byte) error { si.note(line); return nil })
	seqs := func(line []byte) error {
		if f, ok, err := parseFetch(line); ok && err == nil {
			t.seq[f.uid] = f.seq
		}
		return handler(line)
	}
	if _, err := c.ok("UID FETCH 1:* "+items, seqs); err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	if si.highest == 0 {
		_, err := c.run("STATUS INBOX (HIGHESTMODSEQ)", func(line []byte) error {
			if v, ok := statusHighestModseq(line); ok {
				si.highest = v
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("truth: %w", err)
		}
	}
	t.highest = si.highest
	if uint32(len(t.flags)) != si.exists {
		return nil, fmt.Errorf("truth: UID FETCH 1:* returned %d messages, EXAMINE said %d EXISTS", len(t.flags), si.exists)
	}
	return t, nil
}
