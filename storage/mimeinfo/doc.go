// Package mimeinfo describes a message once, at delivery, so that the IMAP
// server never has to parse it again.
//
// Parse reads a raw RFC 5322 message and returns an Info: the message's
// size, the length of its top-level header, its Date, its ENVELOPE (RFC 3501
// §7.4.2) and its MIME structure (RFC 2045, RFC 2046) with the byte offsets of
// every part's header and body. FETCH ENVELOPE, BODY, BODYSTRUCTURE,
// RFC822.SIZE and SEARCH SENT* are answered from the Info alone; BODY[section]
// slices the stored blob at the recorded offsets (Info.PartAt maps a section
// number to its Part, following RFC 3501 §6.4.5).
//
// # Hostile and broken input
//
// Parse never fails and never panics. A malformed message is still
// described, as Dovecot would describe it: a header without a blank line is
// all header; a header line without a colon is skipped; a multipart without a
// boundary is text/plain; a missing close delimiter ends the part at the next
// enclosing delimiter or at the end of the message; a multipart in which no
// delimiter is found gets one empty text/plain part; addresses without a
// domain or a mailbox get MissingDomain or MissingMailbox. Work is linear in
// the size of the message, nesting is capped at MaxDepth and the number of
// parts at MaxParts, beyond which containers are described as opaque
// application/octet-stream leaves.
//
// The stored blob is expected to have CRLF line endings (what SMTP, LMTP
// and IMAP APPEND deliver); offsets, sizes and line counts are those of the
// bytes as given, so a blob with bare LF line endings gets sizes that count
// one byte per line ending.
//
// # Encoding
//
// Info.AppendBinary writes a compact record and Decode reads it back;
// Decode(AppendBinary(Parse(m))) deep-equals Parse(m). The first byte is the
// format version (Version). A decoder reads only the versions it knows and
// rejects the rest with ErrCorrupt: any change to the layout below, including
// to the string dictionary, must take a new version number, and Decode must go
// on reading every older version that a store may still hold (or the store
// re-parses those messages from their blobs).
//
// Version 1, where uvarint and varint are encoding/binary's, and str is a
// uvarint x followed, when x is even, by x/2 bytes of string, or standing,
// when x is odd, for entry x/2 of the built-in dictionary of common words:
//
//	record   = 0x01 size:uvarint headerLen:uvarint date
//	           nParts nEnvelopes nAddresses nParams nLanguages nChildren (uvarint each)
//	           envelope part
//	date     = 0x00 / 0x01 unixSeconds:varint zoneOffsetMinutes:varint
//	envelope = flags:uvarint date subject inReplyTo messageID (str each)
//	           from [sender] [replyTo] to cc bcc (addresses each)
//	           ; flags bits 0-3 are Envelope.Present; bit 4 says that Sender
//	           ; is From and is not written, bit 5 the same for Reply-To
//	addresses= n:uvarint n*(name adl mailbox host (str each))
//	part     = flags:uvarint type subtype encoding (str each)
//	           [params] [id] [description] [md5] [disposition params]
//	           [n:uvarint n*language:str] [location]
//	           headerStart:uvarint bodyStart:uvarint end:uvarint lines:uvarint
//	           [n:uvarint n*part] [envelope part]
//	params   = n:uvarint n*(name value (str each))
//
// A part's optional fields are present when their flag bit is set, in the
// order shown: 0 children, 1 encapsulated message, 2 params, 3 id,
// 4 description, 5 md5, 6 disposition, 7 language, 8 location. Offsets are
// deltas: headerStart from the earliest place the part may start (its
// parent's body start for a first child or an encapsulated message, the end of
// the previous sibling otherwise), bodyStart from headerStart, end from
// bodyStart. The counts up front let Decode allocate each kind of object in
// one block, after checking them against the bytes that remain, so a lying
// count cannot make it allocate much more than the record's size.
package mimeinfo
