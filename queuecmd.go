package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"zest/storage"
)

// The outbound queue from the command line:
//
//	zest queue list        what waits to go out: redirects, vacation replies, notifications, reports
//	zest queue show ID     print one queued message
//	zest queue remove ID   drop one queued message
//
// Until zest delivers outbound mail itself, this is where an administrator
// sees what the Sieve scripts and the SMTP server produced.

func runQueueAdmin(ctx context.Context, st *storage.Store, args []string) (string, error) {
	usage := fmt.Errorf("%w: zest queue list | show ID | remove ID", errUsage)
	switch {
	case len(args) == 2 && args[1] == "list":
		q, err := st.Queued(ctx, 0)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tQUEUED\tORIGIN\tFROM\tTO\tSIZE")
		for _, m := range q {
			from := m.From
			if from == "" {
				from = "<>"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%d\n", m.ID, m.Queued.UTC().Format(time.DateTime), m.Origin, from, strings.Join(m.To, ","), m.Size)
		}
		w.Flush()
		return b.String(), nil
	case len(args) == 3 && (args[1] == "show" || args[1] == "remove"):
		id, err := strconv.ParseUint(args[2], 10, 64)
		if err != nil {
			return "", fmt.Errorf("%q is not a queue ID: %w", args[2], usage)
		}
		if args[1] == "show" {
			raw, err := st.QueuedRaw(ctx, id)
			return string(raw), err
		}
		if _, err := st.QueuedRaw(ctx, id); err != nil {
			return "", err
		}
		if err := st.Dequeue(ctx, id); err != nil {
			return "", err
		}
		return fmt.Sprintf("removed queued message %d\n", id), nil
	}
	return "", usage
}
