package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"

	"zest/bench/internal/harness"
)

// server is one server under test with the messages delivered.
type server struct {
	name     string
	imapAddr string
	lmtpAddr string
	p        *harness.Process
	zest     *harness.Zest    // when name is "zest"
	dove     *harness.Dovecot // when name is "dovecot"
	uids     []imap.UID       // the delivered messages' UIDs in INBOX, ascending
	caps     string           // the capabilities that matter here, for the header
}

// memory samples the server's memory: zest's own, or the sum over
// Dovecot's process tree.
func (s *server) memory() (memSample, error) {
	var m memSample
	var err error
	if s.zest != nil {
		m.proc, err = harness.ProcessMemory(s.p.Pid())
	} else {
		m.tree, err = harness.TreeMemory(s.p.Pid())
	}
	return m, err
}

// cpu is the CPU time the server has used: zest's own, or the sum over
// Dovecot's process tree (with the children it has reaped).
func (s *server) cpu() (time.Duration, error) {
	if s.zest != nil {
		return harness.ProcessCPU(s.p.Pid())
	}
	return harness.TreeCPU(s.p.Pid())
}

// probeIMAP waits up to limit for addr to accept a connection and send an
// IMAP greeting.
func probeIMAP(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		err := func() error {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				return err
			}
			defer c.Close()
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				return fmt.Errorf("no greeting: %w", err)
			}
			if !strings.HasPrefix(line, "* OK") && !strings.HasPrefix(line, "* PREAUTH") {
				return fmt.Errorf("greeting %q is not an IMAP greeting", strings.TrimSpace(line))
			}
			return nil
		}()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deliverAll delivers msgs to the bench user over conns parallel LMTP
// connections, in order of index, and stops at the first failure.
func deliverAll(ctx context.Context, addr string, msgs [][]byte, conns int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	fail := func(err error) { once.Do(func() { first = err }) }
	var stop atomic.Bool
	for range min(conns, len(msgs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := harness.DialLMTP(addr)
			if err != nil {
				fail(fmt.Errorf("LMTP connect: %w", err))
				stop.Store(true)
				return
			}
			defer c.Close()
			for !stop.Load() && ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(msgs) {
					return
				}
				if err := c.Deliver(harness.BenchSender, harness.BenchUser, msgs[i]); err != nil {
					fail(fmt.Errorf("LMTP delivery of message %d: %w", i, err))
					stop.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

// inspect logs in and checks that INBOX holds exactly want messages; it
// returns their UIDs and the capabilities the benchmark uses.
func inspect(addr string, want int) (uids []imap.UID, caps string, err error) {
	c, usedTLS, err := dialIMAP(addr)
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	set := c.Caps()
	var have []string
	for _, cp := range []imap.Cap{imap.CapIMAP4rev2, imap.CapUIDPlus, imap.CapIdle, imap.CapCondStore, imap.CapQResync} {
		if set.Has(cp) {
			have = append(have, string(cp))
		}
	}
	caps = strings.Join(have, " ")
	if !set.Has(imap.CapUIDPlus) {
		caps += " (no UIDPLUS: APPEND is found again by Message-ID and removed with STORE + EXPUNGE)"
	}
	if usedTLS {
		caps += "; LOGINDISABLED in the clear, so STARTTLS before LOGIN"
	}
	data, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		return nil, caps, fmt.Errorf("SELECT INBOX: %w", err)
	}
	if int(data.NumMessages) != want {
		return nil, caps, fmt.Errorf("INBOX holds %d messages after delivery, want %d", data.NumMessages, want)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return nil, caps, fmt.Errorf("UID SEARCH ALL: %w", err)
	}
	uids = found.AllUIDs()
	slices.Sort(uids)
	if len(uids) != want {
		return nil, caps, fmt.Errorf("UID SEARCH ALL found %d messages, want %d", len(uids), want)
	}
	if err := c.Logout().Wait(); err != nil {
		return nil, caps, fmt.Errorf("LOGOUT: %w", err)
	}
	return uids, caps, nil
}

// inboxSize asks for the number of messages in INBOX with STATUS.
func inboxSize(addr string) (int, error) {
	c, _, err := dialIMAP(addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	data, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0, fmt.Errorf("STATUS INBOX (MESSAGES): %w", err)
	}
	if data.NumMessages == nil {
		return 0, fmt.Errorf("STATUS INBOX (MESSAGES): no MESSAGES in the reply")
	}
	if err := c.Logout().Wait(); err != nil {
		return 0, fmt.Errorf("LOGOUT: %w", err)
	}
	return int(*data.NumMessages), nil
}
