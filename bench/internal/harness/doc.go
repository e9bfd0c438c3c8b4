// Package harness holds what the side-by-side benchmarks under bench/ share:
//
//   - starting and stopping the servers under test: zest built from this
//     module with a generated config and one user, its store prepared
//     before it serves when a benchmark loads mail first (zest.go), a private
//     Dovecot instance with its own generated config in the temp dir
//     (dovecot.go), both as child processes with their logs kept (proc.go);
//   - measuring their memory from /proc: one process's VmRSS and RssAnon,
//     and the RSS and PSS sums over a process tree (mem.go);
//   - the deterministic test messages and the LMTP client that delivers
//     them (message.go, lmtp.go);
//   - the command line, flag lists, percentiles and fixed-width tables
//     that every benchmark prints (cli.go, stats.go, table.go).
//
// It has no knowledge of any one benchmark's load: bench/lmtp and
// bench/imap each keep their own load generator, bench/qresync its own client.
package harness
