package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"zest/bench/internal/harness"
)

// The initial flags of the messages, as a mailbox that has been read for a
// while has them: most read, a few answered or flagged, some with a
// keyword. Percentages.
const (
	seenPct     = 85
	answeredPct = 8
	flaggedPct  = 3
	keywordPct  = 2 // $Work, Dovecot keyword letter a
)

// messageFlags returns the maildir flag letters of message i, in the
// order a maildir name keeps them (ASCII).
func messageFlags(i int) string {
	rng := rand.New(rand.NewPCG(uint64(i), 0xf1a65))
	var f []byte
	if rng.IntN(100) < flaggedPct {
		f = append(f, 'F')
	}
	if rng.IntN(100) < answeredPct {
		f = append(f, 'R')
	}
	if rng.IntN(100) < seenPct {
		f = append(f, 'S')
	}
	if rng.IntN(100) < keywordPct {
		f = append(f, 'a')
	}
	slices.Sort(f)
	return string(f)
}

// messageSize is the text size of message i: sizes spread evenly over
// [2/3, 4/3] of the mean, so that messages are 2 to 4 KB for the default.
func messageSize(i, mean int) int {
	rng := rand.New(rand.NewPCG(uint64(i), 0x512e))
	return mean*2/3 + rng.IntN(mean*2/3+1)
}

// writeMaildir writes n messages into dir as a maildir, the way Dovecot
// stores delivered mail that has since been read: one file per message in
// cur/, named "<time>.M<i>P<pid>.bench,S=<size>,W=<size with CRLF>:2,<flags>",
// the Date of the message as the file's time, and dovecot-keywords naming
// keyword letter a. Nothing is fsynced: this is setup, not measured.
func writeMaildir(dir string, n, meanSize int) (total int64, err error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return 0, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "dovecot-keywords"), []byte("0 $Work\n"), 0o600); err != nil {
		return 0, err
	}
	pid := os.Getpid()
	for i := range n {
		msg := harness.MessageGen{To: harness.BenchUser, Tag: "qresync", Size: messageSize(i, meanSize)}.Message(i)
		date := harness.BaseDate.Add(time.Duration(i) * harness.DefaultSpacing)
		name := fmt.Sprintf("%d.M%dP%d.bench,S=%d,W=%d:2,%s", date.Unix(), i, pid, len(msg), len(msg)+bytes.Count(msg, []byte("\n")), messageFlags(i))
		path := filepath.Join(dir, "cur", name)
		if err := os.WriteFile(path, msg, 0o600); err != nil {
			return total, err
		}
		if err := os.Chtimes(path, date, date); err != nil {
			return total, err
		}
		total += int64(len(msg))
	}
	return total, nil
}

// chownTree gives a directory tree to uid:gid.
func chownTree(dir string, uid, gid int) error {
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}
