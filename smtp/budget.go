package smtp

import (
	"context"
	"errors"
	"io"
	"time"

	"golang.org/x/sync/semaphore"
)

// A message is held whole in memory from its first byte until it is stored.
// The bytes held by every transaction together are bounded by one budget,
// so many large messages at once cannot exhaust a small board's memory:
// a session that would go over it waits (the client is slowed by TCP), and
// gives up with a temporary failure if no room comes.

// budgetStep is how much budget a reader takes at a time.
const budgetStep = 256 << 10

// defaultBudgetWait is how long a message waits for room before it is
// refused.
const defaultBudgetWait = 2 * time.Minute

var errMemoryBudget = errors.New("smtp: no room in the memory budget for this message")

// budgetReader takes budget for the bytes read through it; release gives
// it all back.
type budgetReader struct {
	r     io.Reader
	mem   *semaphore.Weighted
	wait  time.Duration
	ctx   context.Context
	held  int64 // budget taken
	bytes int64 // bytes read
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.mem != nil && b.bytes+int64(len(p)) > b.held {
		ctx, cancel := context.WithTimeout(b.ctx, b.wait)
		err := b.mem.Acquire(ctx, budgetStep)
		cancel()
		if err != nil {
			return 0, errMemoryBudget
		}
		b.held += budgetStep
		if int64(len(p)) > b.held-b.bytes {
			p = p[:b.held-b.bytes]
		}
	}
	n, err := b.r.Read(p)
	b.bytes += int64(n)
	return n, err
}

func (b *budgetReader) release() {
	if b.mem != nil && b.held > 0 {
		b.mem.Release(b.held)
		b.held = 0
	}
}
