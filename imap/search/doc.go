// Package search evaluates IMAP SEARCH criteria over the messages of a
// mailbox: the search keys of RFC 3501 §6.4.4 and RFC 9051 §6.4.4, "$" of
// RFC 5182 (SEARCHRES) and MODSEQ of RFC 7162 §3.1.5 (CONDSTORE).
//
// The server parses a SEARCH command into go-imap's imap.SearchCriteria,
// calls Compile once per command with the facts of the selected mailbox
// (Options), then calls Match for each message in its view, handing over a
// Candidate: the storage.Message record, the session's \Recent, and loaders
// for the expensive parts. Needs tells it beforehand which loaders may be
// called, so that a search on flags, sets, sizes, dates or mod-sequences
// runs on the message records alone.
//
// # Order of evaluation
//
// Every AND and OR tries its keys in order of cost: keys answered from the
// record (sequence and UID sets, flags, sizes, internal dates, MODSEQ),
// then those needing the parsed description (sent dates), then the header,
// then the body. Evaluation stops as soon as the result is known, and each
// loader is called at most once per Match. All BODY and TEXT strings are
// looked for in one pass over the message's text, which stops once all are
// found.
//
// # Semantics
//
//   - Sets: "*" is Options.MaxSeqNum or Options.MaxUID, resolved at
//     Compile; "n:*" includes "*" even when n is larger (RFC 9051 §9,
//     seq-range). "$" is Options.SearchRes.
//   - Flags: system flags by name, case-insensitively; keywords
//     case-insensitively; \Recent from Candidate.Recent (go-imap turns
//     NEW into \Recent and not \Seen, OLD into not \Recent).
//   - SINCE, BEFORE, ON compare the date of the internal date in
//     Options.Location; SENTSINCE, SENTBEFORE, SENTON the date of the Date:
//     header in the zone it was written in; a message without a usable
//     Date: header is dated by its internal date (RFC 5256 §2.2). Only the
//     date of each argument counts.
//   - LARGER and SMALLER compare RFC822.SIZE strictly. 0 means "no key", as
//     in go-imap.
//   - HEADER (and FROM, TO, CC, BCC, SUBJECT): a case-insensitive substring
//     of any occurrence of the field in the top-level header, unfolded,
//     raw or with RFC 2047 encoded words decoded; "" matches any message
//     that has the field.
//   - BODY: a case-insensitive substring of the message's text (see
//     writeBody): text/* parts decoded to UTF-8 and the headers of
//     encapsulated messages; other parts are not decoded. TEXT: the
//     top-level header (as for HEADER) or that text. "" matches every
//     message.
//   - Case-insensitivity is Unicode simple case folding (see fold.go):
//     "GRÜẞE" finds "grüße", "GRÜSSE" does not.
//   - MODSEQ: the message's mod-sequence is at least the value; a flag
//     entry name is answered with the message's mod-sequence, since the
//     store keeps no per-flag mod-sequences. UsesModSeq tells the server to
//     add the MODSEQ item to its response.
//
// # Limits
//
// Compile refuses criteria nested more than MaxDepth levels of NOT and OR,
// or with more than MaxKeys keys (ErrTooDeep, ErrTooManyKeys). Match never
// decodes a part that is not text, decodes text as a stream in chunks, and
// never panics on a description that does not fit its blob. A Matcher is
// immutable and may be used by several goroutines at once.
package search
