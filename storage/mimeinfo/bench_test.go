package mimeinfo

import (
	"strings"
	"testing"
)

// benchMessage is a typical 4 KB message: a dozen header fields, a
// multipart/alternative with a text and an HTML part.
var benchMessage = func() string {
	var b strings.Builder
	b.WriteString(crlf(`Return-Path: <alice@example.com>
Received: from mail.example.com (mail.example.com [192.0.2.10])
	by mx.example.org with ESMTPS id 4Xyz123abc
	for <bob@example.org>; Tue, 1 Jul 2025 10:52:37 +0200 (CEST)
Received: by mail.example.com (Postfix, from userid 1000)
	id 9F1E2C0123; Tue, 1 Jul 2025 10:52:36 +0200 (CEST)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=mail;
	t=1751359957; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
	h=From:To:Subject:Date:From;
	b=Wm9tZ2sgdGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaGFzIHRo
	 ZSByaWdodCBsZW5ndGggZm9yIGEgYmVuY2htYXJrIG9mIGEgdHlwaWNhbCBtZXNzYWdl
From: Alice Example <alice@example.com>
To: Bob Example <bob@example.org>, "Carol, the Reviewer" <carol@example.net>
Cc: team@example.org
Subject: Re: =?UTF-8?Q?Quarterly_r=C3=A9sum=C3=A9?= and next steps
Date: Tue, 1 Jul 2025 10:52:36 +0200
Message-ID: <20250701085236.9F1E2C0123@mail.example.com>
In-Reply-To: <CAF=abc123@mail.example.org>
References: <CAF=abc123@mail.example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000abcdef0123456789"

--000000000000abcdef0123456789
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

`))
	line := "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod\r\n"
	for i := 0; i < 18; i++ {
		b.WriteString(line)
	}
	b.WriteString(crlf(`
--000000000000abcdef0123456789
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">
`))
	for i := 0; i < 18; i++ {
		b.WriteString("<p>" + line[:len(line)-2] + "</p>\r\n")
	}
	b.WriteString(crlf("</div>\n\n--000000000000abcdef0123456789--\n"))
	return b.String()
}()

func TestBenchMessage(t *testing.T) {
	raw := []byte(benchMessage)
	in := Parse(raw)
	checkInfo(t, raw, in)
	if len(raw) < 3500 || len(raw) > 4600 || len(in.Body.Children) != 2 || in.Date.IsZero() || len(in.Envelope.To) != 2 {
		t.Fatalf("not the message intended: %d bytes\n%s", len(raw), dump(in))
	}
}

func BenchmarkParse(b *testing.B) {
	raw := []byte(benchMessage)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(raw)
	}
}

func BenchmarkParseLarge(b *testing.B) {
	// A 10 MB base64 attachment: the cost should be a scan of the bytes.
	var s strings.Builder
	s.WriteString("Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\ntext\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for s.Len() < 10<<20 {
		s.WriteString(strings.Repeat("QUJD", 19) + "\r\n")
	}
	s.WriteString("--b--\r\n")
	raw := []byte(s.String())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(raw)
	}
}

func BenchmarkAppendBinary(b *testing.B) {
	in := Parse([]byte(benchMessage))
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = in.AppendBinary(buf[:0])
	}
}

func BenchmarkDecode(b *testing.B) {
	rec := Parse([]byte(benchMessage)).AppendBinary(nil)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(rec); err != nil {
			b.Fatal(err)
		}
	}
}
