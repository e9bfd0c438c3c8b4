// Package storage is zest's durable state: accounts and their credentials,
// local domains and aliases, mailboxes, messages and their bodies, flags,
// UIDs and mod-sequences, the change index and expunge tombstones, client
// IDs with their per-client data and online state, saved IMAP session
// states, and the stream of RFC 5423 message-store events.
//
// # Rules
//
//   - One writer. Every change runs in the writer goroutine, which gathers
//     the changes waiting at that moment into one engine transaction and one
//     fsync (group commit). Counters are read-modify-written there without
//     locks, and the order of commits is the order of events.
//   - Durable before acknowledged. A method that changes state returns only
//     after the change is on disk; SMTP/LMTP answer 250 after Deliver
//     returns, never before.
//   - Commit, then publish. Events are published after the commit that
//     caused them is durable, in commit order. A subscriber that falls
//     behind is told (Subscription.Overflowed) and re-reads the store; the
//     writer never waits for a subscriber.
//   - Parse once. A message is hashed and parsed (storage/mimeinfo) in the
//     caller's goroutine at delivery; its body is stored once under its
//     SHA-256, shared by every recipient and every COPY, reference-counted,
//     and deleted with its last reference.
//   - UIDs only grow and are never reused within a UIDVALIDITY (MONOINCUID):
//     the writer takes them from the mailbox's UIDNEXT in the commit that
//     adds the message, nothing lowers UIDNEXT, and RENAME INBOX moves the
//     messages out instead of giving INBOX a new UIDVALIDITY. A mailbox
//     deleted and re-created gets a new UIDVALIDITY from a store-wide
//     counter. Mod-sequences only grow. docs/storage.md tells why this holds.
//   - O(changes). Each flag change or addition moves the message's entry in
//     the per-mailbox change index (keyed by mod-sequence); each expunge
//     leaves a tombstone keyed by mod-sequence. "What changed since M" is a
//     range scan from M+1 over both.
//   - No engine type crosses this API. The engine is reached through
//     storage/kv, whose Badger implementation is sized for a 1 GB board.
package storage
