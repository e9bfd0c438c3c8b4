// Package sieve is zest's Sieve engine: a lexer, parser and validator that
// compile a script once, and an interpreter that runs the compiled script
// against one delivery and returns the actions to carry out. The package
// never touches storage; the caller carries out the returned actions.
//
// Implemented capabilities:
//
//   - the base language, RFC 5228 (comparators i;octet and i;ascii-casemap)
//   - fileinto, envelope and encoded-character, RFC 5228 §4.1, §5.4, §2.4.2.4
//   - comparator-i;ascii-numeric, RFC 4790 §9.1
//   - comparator-i;unicode-casemap, RFC 5051
//   - copy, RFC 3894
//   - reject and ereject, RFC 5429 (language side)
//   - imap4flags, RFC 5232
//   - subaddress, RFC 5233 (separator "+")
//   - relational, RFC 5231
//   - vacation and vacation-seconds, RFC 5230, RFC 6131 (language side;
//     the caller keeps the response log and sends the reply)
//   - mailbox, RFC 5490 §3 (fileinto :create, mailboxexists through
//     Input.MailboxExists)
//   - body, RFC 5173 (bounded: at most 10 MiB of body scanned per test)
//   - variables, RFC 5229 (with imap4flags' named flag variables)
//   - duplicate, RFC 7352 (the caller keeps the list: Input.Duplicates
//     answers, Result.Duplicates says what to record after delivery)
//   - environment, RFC 5183 (values from Input.Environment)
//   - enotify, RFC 5435, with the mailto method, RFC 5436 (language side
//     and BuildMailtoNotification; the caller sends, Options.NotifyMethods
//     adds methods)
//   - date and index, RFC 5260 (the clock and server zone from Input.Now
//     and Input.Location)
//   - include, RFC 6609 (included scripts resolved when compiling, through
//     Options.Includes; the "global" variables namespace)
//
// Each extension is a file (ext_*.go) holding an extension value: the rows
// it adds to the command and test tables and the tags it adds to existing
// commands. table.go's extensions lists them.
//
// Errors never lose mail (RFC 5228 §2.10.6): Run evaluates the whole script
// and collects actions; a run-time error returns no actions at all and the
// caller files the message into INBOX (spec SV-22, SV-23).
//
// # Rules
//
//   - Compile once, run many: a Script holds no per-run state. Arguments
//     are checked when compiling; what cannot be known then (the message,
//     strings made dynamic by an extension) is checked when running.
//   - Every string argument compiles to a value (compile.go). Constant in
//     the base language; an extension's setup hook may set
//     compiler.expand to make strings dynamic (variables).
//   - The engine never touches storage or the network. Mailbox existence,
//     quota, loop headers and sending are the caller's; the Result lists
//     what to do, each mailbox at most once, redirects at most once per
//     address, and the implicit keep last when it applies (SV-14, SV-15).
//   - Bounds: script size and nesting (Options), redirects and actions per
//     run, and the caller's context, checked before every command.
package sieve
