package storage

import "time"

const recordVersion = 1

func encodeAccount(a *Account) []byte {
	e := encoder{b: make([]byte, 0, 128)}
	e.u8(recordVersion)
	e.str(a.Address)
	e.str(a.passwordHash)
	e.uvarint(a.credVersion)
	e.varint(a.Created.UnixNano())
	e.boolean(a.Disabled)
	e.boolean(a.Admin)
	return e.b
}

func decodeAccount(id AccountID, b []byte) (*Account, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	a := &Account{ID: id}
	a.Address = d.str()
	a.passwordHash = d.str()
	a.credVersion = d.uvarint()
	a.Created = time.Unix(0, d.varint())
	a.Disabled = d.boolean()
	if d.more() { // written before administrators existed: not one
		a.Admin = d.boolean()
	}
	return a, d.err
}

func encodeMailbox(m *Mailbox) []byte {
	e := encoder{b: make([]byte, 0, 64)}
	e.u8(recordVersion)
	e.str(m.Name)
	e.uvarint(uint64(m.UIDValidity))
	e.uvarint(uint64(m.UIDNext))
	e.uvarint(m.HighestModSeq)
	e.uvarint(uint64(m.Messages))
	e.uvarint(uint64(m.Unseen))
	e.uvarint(uint64(m.Deleted))
	e.varint(m.Size)
	e.strs(m.SpecialUse)
	e.boolean(m.Subscribed)
	e.strs(m.Keywords)
	e.uvarint(m.ExpungedBefore)
	e.uvarint(uint64(m.Tombstones))
	return e.b
}

func decodeMailbox(a AccountID, id MailboxID, b []byte) (*Mailbox, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	m := &Mailbox{ID: id, Account: a}
	m.Name = d.str()
	m.UIDValidity = d.u32()
	m.UIDNext = UID(d.u32())
	m.HighestModSeq = d.uvarint()
	m.Messages = d.u32()
	m.Unseen = d.u32()
	m.Deleted = d.u32()
	m.Size = d.varint()
	m.SpecialUse = d.strs()
	m.Subscribed = d.boolean()
	if d.more() { // fields added later; older records end here
		m.Keywords = d.strs()
		m.ExpungedBefore = d.uvarint()
	}
	if d.more() {
		m.Tombstones = d.u32()
	}
	return m, d.err
}

func encodeMessage(m *Message) []byte {
	e := encoder{b: make([]byte, 0, 64)}
	e.u8(recordVersion)
	e.uvarint(m.ModSeq)
	e.varint(m.InternalDate.UnixNano())
	e.varint(m.SaveDate.UnixNano())
	e.varint(m.Size)
	e.b = append(e.b, m.Blob[:]...)
	e.u8(byte(m.Flags.System))
	e.strs(m.Flags.Keywords)
	return e.b
}

func decodeMessage(uid UID, b []byte) (*Message, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	m := &Message{UID: uid}
	m.ModSeq = d.uvarint()
	m.InternalDate = time.Unix(0, d.varint())
	m.SaveDate = time.Unix(0, d.varint())
	m.Size = d.varint()
	if len(d.b) < len(m.Blob) {
		return nil, errCorrupt
	}
	copy(m.Blob[:], d.b)
	d.b = d.b[len(m.Blob):]
	m.Flags.System = SystemFlags(d.u8())
	m.Flags.Keywords = d.strs()
	return m, d.err
}

// blobHead is the bookkeeping of one stored body.
type blobHead struct {
	Size   int64
	Chunks uint32
	Refs   uint64
}

func encodeBlobHead(h blobHead) []byte {
	e := encoder{}
	e.u8(recordVersion)
	e.varint(h.Size)
	e.uvarint(uint64(h.Chunks))
	e.uvarint(h.Refs)
	return e.b
}

func decodeBlobHead(b []byte) (blobHead, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		return blobHead{}, errCorrupt
	}
	h := blobHead{Size: d.varint(), Chunks: d.u32(), Refs: d.uvarint()}
	return h, d.err
}
