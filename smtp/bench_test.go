package smtp

import (
	"bytes"
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	gosmtp "github.com/emersion/go-smtp"
)

// BenchmarkLMTPDelivery delivers 4 KB messages over LMTP from parallel
// clients, one connection each, and reports messages per second: the cost
// of a delivery from MAIL to the durable 250, group commit included.
func BenchmarkLMTPDelivery(b *testing.B) {
	e := newEnv(b)
	body := bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n"), 64) // 4096 bytes
	var clients atomic.Int64
	// Many clients at once, as an MTA delivering a queue run would: their
	// deliveries share commits.
	b.SetParallelism(8)
	b.SetBytes(int64(len(body)))
	batches0, ops0 := e.store.WriterStats()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", e.lmtpAddr)
		if err != nil {
			b.Error(err)
			return
		}
		c := gosmtp.NewClientLMTP(conn)
		defer c.Close()
		if err := c.Hello("bench.example.org"); err != nil {
			b.Error(err)
			return
		}
		n := clients.Add(1)
		for i := 0; pb.Next(); i++ {
			msg := append(fmt.Appendf(nil, "Subject: bench %d/%d\r\n\r\n", n, i), body...)
			if err := c.Mail("sender@example.net", nil); err != nil {
				b.Error(err)
				return
			}
			if err := c.Rcpt("alice@example.org", nil); err != nil {
				b.Error(err)
				return
			}
			w, err := c.Data()
			if err != nil {
				b.Error(err)
				return
			}
			w.Write(msg)
			if err := w.Close(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if batches, ops := e.store.WriterStats(); batches > batches0 {
		b.ReportMetric(float64(ops-ops0)/float64(batches-batches0), "msgs/commit")
	}
}
