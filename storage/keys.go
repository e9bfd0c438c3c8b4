package storage

import (
	"encoding/binary"
	"strings"
)

// Key layout. Every key starts with a one-byte table prefix; integers are
// big-endian so that range scans come out in numeric order. IDs are 8 bytes,
// UIDs 4, mod-sequences 8.
//
//	'S' name                                   store-wide sequence counters
//	'A' account                                account record
//	'N' address (lower case)                   account ID by login address
//	'D' domain (lower case)                    local domain record
//	'L' address (lower case, "@dom" catch-all) alias targets
//	'X' account mailbox                        mailbox record
//	'Y' account name                           mailbox ID by name
//	'U' account mailbox uid                    message record
//	'C' account mailbox modseq uid             change index: uid last changed at modseq
//	'T' account mailbox modseq uid             expunge tombstone
//	'P' account mailbox block                  UIDs present, a bitmap of 4096 UIDs per block
//	'F' account mailbox kind uid               flag index: 'u' unseen, 'd' \Deleted messages
//	'B' hash                                   blob header (size, reference count)
//	'b' hash chunk                             blob body, in chunks
//	'I' hash                                   parsed message description (mimeinfo)
//	'H' hash                                   the message's top-level header, for SEARCH
//	'K' client-id                              client record (account, created, last seen)
//	'k' account client-id                      client IDs by account
//	'J' account len(client-id) client-id name  per-client setting
//	'G' client-id                              a removed client ID, never issued again
//	'V' token                                  saved STATE record
//	'v' account token                          saved STATE tokens by account
//	'R' account name                           Sieve script (content, last change)
//	'r' account                                name of the account's active Sieve script
//	'E'                                        the administrator's Sieve script
//	'e' account                                the last failure of the account's Sieve script
//	'W' account hash(sender, reply identity)   when a vacation reply last went to that sender
//	'w' sha256(token)                          web session: account, CSRF token, expiry, credentials version
//	'Q' id                                     outbound queue: envelope and blob of a message zest sends
//	'n' account hour                           Sieve mailto notifications sent in that hour (rate limit)
//	'u' account hash(handle, id)               when a Sieve duplicate entry expires (RFC 7352)
//	'g' name                                   global Sieve script (content, last change), for include :global
//	'M' domain (lower case)                    the domain's DKIM signing key (selector, algorithm, PKCS#8 key)
//	'Z' account id                             app password (label, hash, tag, created, last used)
const (
	tSeq         = 'S'
	tAccount     = 'A'
	tLogin       = 'N'
	tDomain      = 'D'
	tAlias       = 'L'
	tMailbox     = 'X'
	tMboxName    = 'Y'
	tMessage     = 'U'
	tChange      = 'C'
	tTombstone   = 'T'
	tPresence    = 'P'
	tFlagIndex   = 'F'
	tBlobHead    = 'B'
	tBlobChunk   = 'b'
	tBlobInfo    = 'I'
	tBlobHdr     = 'H'
	tClient      = 'K'
	tClientAcc   = 'k'
	tClientSet   = 'J'
	tRetiredID   = 'G'
	tState       = 'V'
	tStateAcc    = 'v'
	tSieveScript = 'R'
	tSieveActive = 'r'
	tSieveAdmin  = 'E'
	tSieveError  = 'e'
	tVacation    = 'W'
	tOutbound    = 'Q'
	tWebSession  = 'w'
	tNotifyRate  = 'n'
	tDuplicate   = 'u'
	tSieveGlobal = 'g'
	tDKIM        = 'M'
	tAppPassword = 'Z'
)

func key(table byte, size int) []byte {
	k := make([]byte, 1, 1+size)
	k[0] = table
	return k
}

func seqKey(name string) []byte { return append(key(tSeq, len(name)), name...) }

func accountKey(id AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tAccount, 8), uint64(id))
}

func loginKey(address string) []byte {
	return append(key(tLogin, len(address)), strings.ToLower(address)...)
}

func domainKey(domain string) []byte {
	return append(key(tDomain, len(domain)), strings.ToLower(domain)...)
}

func aliasKey(address string) []byte {
	return append(key(tAlias, len(address)), strings.ToLower(address)...)
}

func mailboxKey(a AccountID, m MailboxID) []byte {
	k := binary.BigEndian.AppendUint64(key(tMailbox, 16), uint64(a))
	return binary.BigEndian.AppendUint64(k, uint64(m))
}

func mailboxNameKey(a AccountID, name string) []byte {
	k := binary.BigEndian.AppendUint64(key(tMboxName, 8+len(name)), uint64(a))
	return append(k, mailboxNameKeyForm(name)...)
}

func mailboxNamePrefix(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tMboxName, 8), uint64(a))
}

// mailboxNameKeyForm folds INBOX, which IMAP treats case-insensitively, so
// "inbox" and "INBOX" are one mailbox; every other name is case-sensitive.
func mailboxNameKeyForm(name string) string {
	if strings.EqualFold(name, "INBOX") {
		return "INBOX"
	}
	if len(name) > 6 && strings.EqualFold(name[:6], "INBOX/") {
		return "INBOX/" + name[6:]
	}
	return name
}

// perMailbox builds a key in one of the per-mailbox tables.
func perMailbox(table byte, a AccountID, m MailboxID, extra int) []byte {
	k := binary.BigEndian.AppendUint64(key(table, 16+extra), uint64(a))
	return binary.BigEndian.AppendUint64(k, uint64(m))
}

func messageKey(a AccountID, m MailboxID, uid UID) []byte {
	return binary.BigEndian.AppendUint32(perMailbox(tMessage, a, m, 4), uint32(uid))
}

func changeKey(a AccountID, m MailboxID, modseq uint64, uid UID) []byte {
	k := binary.BigEndian.AppendUint64(perMailbox(tChange, a, m, 12), modseq)
	return binary.BigEndian.AppendUint32(k, uint32(uid))
}

func modseqRangeStart(table byte, a AccountID, m MailboxID, modseq uint64) []byte {
	return binary.BigEndian.AppendUint64(perMailbox(table, a, m, 8), modseq)
}

func tombstoneKey(a AccountID, m MailboxID, modseq uint64, uid UID) []byte {
	k := binary.BigEndian.AppendUint64(perMailbox(tTombstone, a, m, 12), modseq)
	return binary.BigEndian.AppendUint32(k, uint32(uid))
}

func blobHeadKey(h BlobHash) []byte { return append(key(tBlobHead, len(h)), h[:]...) }
func blobInfoKey(h BlobHash) []byte { return append(key(tBlobInfo, len(h)), h[:]...) }
func blobHdrKey(h BlobHash) []byte  { return append(key(tBlobHdr, len(h)), h[:]...) }

func blobChunkKey(h BlobHash, chunk uint32) []byte {
	return binary.BigEndian.AppendUint32(append(key(tBlobChunk, len(h)+4), h[:]...), chunk)
}

func blobChunkPrefix(h BlobHash) []byte { return append(key(tBlobChunk, len(h)), h[:]...) }

// Suffix readers for keys whose layout is known from their table.
func uidFromMessageKey(k []byte) UID { return UID(binary.BigEndian.Uint32(k[17:])) }

// modseqUIDFromKey reads the suffix of change-index and tombstone keys.
func modseqUIDFromKey(k []byte) (uint64, UID) {
	return binary.BigEndian.Uint64(k[17:25]), UID(binary.BigEndian.Uint32(k[25:]))
}
