package sieve

import (
	"fmt"
	"strings"
)

// Error is one problem in a script, at a 1-based line and column.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// CompileError lists everything wrong with a script that failed to compile.
type CompileError struct{ Errors []Error }

func (e *CompileError) Error() string {
	parts := make([]string, len(e.Errors))
	for i := range e.Errors {
		parts[i] = e.Errors[i].Error()
	}
	return strings.Join(parts, "; ")
}

// parser is a recursive-descent parser for the RFC 5228 §8.2 grammar with
// one token of look-ahead. Nesting is bounded so that a hostile script
// cannot exhaust the stack.
type parser struct {
	lex        *lexer
	tok        token
	maxNesting int
	depth      int // open blocks
	listDepth  int // open test lists
	testDepth  int // tests inside tests, which "not" can nest without brackets
}

// parse turns a script into its syntax tree. Syntax errors stop parsing at
// the first one: later positions would only repeat it.
func parse(src string, maxNesting int) ([]*Command, error) {
	p := &parser{lex: newLexer(src), maxNesting: maxNesting}
	if err := p.advance(); err != nil {
		return nil, err
	}
	cmds, err := p.commands()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf(p.tok.pos, "unexpected %s", p.tok.kind)
	}
	return cmds, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(pos Pos, format string, args ...any) error {
	return &Error{Line: pos.Line, Column: pos.Column, Msg: fmt.Sprintf(format, args...)}
}

// nest counts one more level of blocks or test lists; the limits are
// separate so that a script may use the full depth of both (SV-20).
func (p *parser) nest(pos Pos, depth *int) error {
	*depth++
	if *depth > p.maxNesting {
		return p.errorf(pos, "nesting deeper than %d levels", p.maxNesting)
	}
	return nil
}

// commands reads commands up to "}" or the end of the script.
func (p *parser) commands() ([]*Command, error) {
	var cmds []*Command
	for p.tok.kind == tokIdentifier {
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
	}
	if p.tok.kind != tokEOF && p.tok.kind != tokRBrace {
		return nil, p.errorf(p.tok.pos, "expected a command, found %s", p.tok.kind)
	}
	return cmds, nil
}

func (p *parser) command() (*Command, error) {
	c := &Command{Pos: p.tok.pos, Name: p.tok.text}
	if err := p.advance(); err != nil {
		return nil, err
	}
	args, tests, list, err := p.arguments()
	if err != nil {
		return nil, err
	}
	c.Args, c.Tests, c.TestList = args, tests, list
	switch p.tok.kind {
	case tokSemicolon:
		return c, p.advance()
	case tokLBrace:
		open := p.tok.pos
		if err := p.nest(open, &p.depth); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		block, err := p.commands()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRBrace {
			return nil, p.errorf(open, `block opened here has no closing "}"`)
		}
		p.depth--
		c.Block, c.HasBlock = block, true
		return c, p.advance()
	}
	return nil, p.errorf(p.tok.pos, `expected ";" after command %q, found %s`, c.Name, p.tok.kind)
}

// arguments reads *argument [test / test-list].
func (p *parser) arguments() (args []Arg, tests []*Test, list bool, err error) {
	for {
		switch p.tok.kind {
		case tokTag:
			args = append(args, Arg{Pos: p.tok.pos, Kind: ArgTag, Tag: p.tok.text})
			err = p.advance()
		case tokNumber:
			args = append(args, Arg{Pos: p.tok.pos, Kind: ArgNumber, Number: p.tok.num})
			err = p.advance()
		case tokString:
			args = append(args, Arg{Pos: p.tok.pos, Kind: ArgString,
				Strings: []string{p.tok.text}, StrPos: []Pos{p.tok.pos}})
			err = p.advance()
		case tokLBracket:
			var a Arg
			a, err = p.stringList()
			args = append(args, a)
		case tokIdentifier:
			var t *Test
			t, err = p.test()
			return args, []*Test{t}, false, err
		case tokLParen:
			tests, err = p.testList()
			return args, tests, true, err
		default:
			return args, nil, false, nil
		}
		if err != nil {
			return nil, nil, false, err
		}
	}
}

func (p *parser) stringList() (Arg, error) {
	a := Arg{Pos: p.tok.pos, Kind: ArgStringList}
	if err := p.advance(); err != nil {
		return a, err
	}
	for {
		if p.tok.kind != tokString {
			return a, p.errorf(p.tok.pos, "expected a string in string list, found %s", p.tok.kind)
		}
		a.Strings = append(a.Strings, p.tok.text)
		a.StrPos = append(a.StrPos, p.tok.pos)
		if err := p.advance(); err != nil {
			return a, err
		}
		switch p.tok.kind {
		case tokComma:
			if err := p.advance(); err != nil {
				return a, err
			}
		case tokRBracket:
			return a, p.advance()
		default:
			return a, p.errorf(p.tok.pos, `expected "," or "]" in string list, found %s`, p.tok.kind)
		}
	}
}

func (p *parser) test() (*Test, error) {
	t := &Test{Pos: p.tok.pos, Name: p.tok.text}
	p.testDepth++
	defer func() { p.testDepth-- }()
	if p.testDepth > 4*p.maxNesting {
		return nil, p.errorf(t.Pos, "tests nested deeper than %d levels", 4*p.maxNesting)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	args, tests, list, err := p.arguments()
	if err != nil {
		return nil, err
	}
	t.Args, t.Tests, t.TestList = args, tests, list
	return t, nil
}

func (p *parser) testList() ([]*Test, error) {
	open := p.tok.pos
	if err := p.nest(open, &p.listDepth); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var tests []*Test
	for {
		if p.tok.kind != tokIdentifier {
			return nil, p.errorf(p.tok.pos, "expected a test, found %s", p.tok.kind)
		}
		t, err := p.test()
		if err != nil {
			return nil, err
		}
		tests = append(tests, t)
		switch p.tok.kind {
		case tokComma:
			if err := p.advance(); err != nil {
				return nil, err
			}
		case tokRParen:
			p.listDepth--
			return tests, p.advance()
		default:
			return nil, p.errorf(p.tok.pos, `expected "," or ")" in test list, found %s`, p.tok.kind)
		}
	}
}
