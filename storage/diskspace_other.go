//go:build !unix

package storage

import "io/fs"

// freeBytes cannot tell free space on this platform.
func freeBytes(string) (int64, bool, error) { return 0, false, nil }

// allocatedBytes is a file's length where its allocated size is unknown.
func allocatedBytes(fi fs.FileInfo) int64 { return fi.Size() }
