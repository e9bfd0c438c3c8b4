package harness

import (
	"fmt"
	"time"
)

// Percentile returns the nearest-rank p-quantile (0 < p <= 1) of sorted
// latencies, or 0 when there are none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	k := int(float64(n)*p+0.999999999) - 1
	k = max(0, min(k, n-1))
	return sorted[k]
}

// FmtDur formats a latency in milliseconds with two decimals.
func FmtDur(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// Ratio is a/b, or 0 when b is 0.
func Ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
