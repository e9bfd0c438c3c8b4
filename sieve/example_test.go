package sieve_test

import (
	"context"
	"fmt"
	"strings"

	"zest/sieve"
)

// message is the smallest Message: fixed header fields, no body.
type message map[string][]string

func (m message) Header(name string) []string { return m[strings.ToLower(name)] }
func (m message) Size() int64                 { return 1000 }
func (m message) Body() ([]byte, error)       { return nil, nil }

func ExampleCompile() {
	script, err := sieve.Compile([]byte(`require ["fileinto", "copy"];
if header :contains "list-id" "<dev.lists.example.org>" {
	fileinto :copy "Lists/dev";
}
if address :domain "from" "spam.example" { discard; }
`), sieve.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := message{"list-id": {" Developers <dev.lists.example.org>"}, "from": {" Ann <ann@example.org>"}}
	res, err := script.Run(context.Background(), &sieve.Input{
		Message:  msg,
		Envelope: sieve.Envelope{From: "ann@example.org", To: "me@example.com"},
	})
	if err != nil {
		fmt.Println("error, keep the message in INBOX:", err)
		return
	}
	for _, a := range res.Actions {
		fmt.Println(a)
	}
	// Output:
	// fileinto :copy "Lists/dev"
	// keep
}

func ExampleCompileError() {
	_, err := sieve.Compile([]byte("require \"fileinto\";\nif true {\n  fileinto \"a\"\n}\n"), sieve.Options{})
	fmt.Println(err)
	// Output:
	// 4:1: expected ";" after command "fileinto", found "}"
}
