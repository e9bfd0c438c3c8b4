package sieve

// extAsciiNumeric makes the i;ascii-numeric comparator available (RFC 4790
// §9.1). spec: SV-06, SV-07
var extAsciiNumeric = extension{
	name:        "comparator-i;ascii-numeric",
	comparators: []*comparator{cmpNumeric},
}

// extUnicodeCasemap makes i;unicode-casemap available (RFC 5051), which
// RFC 5550 §3.3 asks of a Lemonade delivery agent. spec: SV-06
var extUnicodeCasemap = extension{
	name:        "comparator-i;unicode-casemap",
	comparators: []*comparator{cmpUnicode},
}
