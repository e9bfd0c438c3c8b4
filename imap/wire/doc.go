// Package wire is the lexical layer of zest's IMAP server: it reads the
// tokens of client commands (atoms, strings, literals, numbers, sequence
// sets, lists, dates) and writes the tokens of server responses, and knows
// nothing about sessions or commands.
//
// A Decoder method that reads a token returns whether it found one and
// keeps the first error, so one command's grammar reads as a line of
// && checks followed by one look at Err (STYLE.md, after go-imap's
// imapwire). Encoder calls chain and end in Flush, which returns the first
// write error.
//
// Literals (RFC 3501 §4.3, RFC 7888 LITERAL+ and LITERAL-, RFC 3516
// literal8) are limited in size: a synchronising literal over the limit is
// refused before the client sends it, and the Continue hook sends the "+"
// continuation for one under it. Mailbox names are decoded from and
// encoded to modified UTF-7 (RFC 3501 §5.1.3) unless UTF8=ACCEPT
// (RFC 6855) is on.
package wire
