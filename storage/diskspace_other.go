//go:build !unix

package storage

// freeBytes cannot tell free space on this platform.
func freeBytes(string) (int64, bool, error) { return 0, false, nil }
